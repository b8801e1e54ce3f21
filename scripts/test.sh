#!/usr/bin/env bash
# Runs every test: starts a throwaway PostgreSQL on 127.0.0.1, builds the whole solution (the Azure
# Functions app included: the end-to-end tests run its compiled worker), tests it, stops the cluster,
# and ends with the line "N passed, N failed".
#
#   ./scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Canary]
#   ./scripts/test.sh --fast     only the unit and database lanes (--filter "Lane=unit|Lane=database"):
#                                no server, Functions worker or script processes and no Bicep; the
#                                quick check while working. CI (.ci/run) runs every lane.
#   ./scripts/test.sh --help     this text (builds and starts nothing)
#
# Each test class has one lane (EscalationFunctions.Tests/Support/Lanes/TestLane.cs): unit, database,
# process or infra; --filter Lane=process runs one lane. --fast with a --filter runs the tests both select.
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
  if [ "$arg" = -h ] || [ "$arg" = --help ]; then
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
    exit 0
  fi
done

# --fast is ours, not dotnet test's: it becomes (or narrows) the --filter.
fast_filter="Lane=unit|Lane=database"
fast=false
args=()
for arg in "$@"; do
  if [ "$arg" = --fast ]; then fast=true; else args+=("$arg"); fi
done
set -- ${args[@]+"${args[@]}"}

# An option that needs a value and has none would only fail after the build: one line, exit 2, now.
last=${*: -1}
case "${last:-}" in
  --filter|--logger|--settings|-s|--results-directory|--blame-hang-timeout|--framework|-f|--environment|-e)
    echo "test.sh: $last needs a value, e.g. --filter FullyQualifiedName~Canary (dotnet test --help lists its options)" >&2
    exit 2;;
esac

if $fast; then
  combined=false
  for ((i = 1; i < $#; i++)); do
    if [ "${!i}" = --filter ]; then
      next=$((i + 1))
      args[$i]="($fast_filter)&(${!next})"
      combined=true
    fi
  done
  $combined || args+=(--filter "$fast_filter")
  set -- "${args[@]}"
fi

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }

work=$(mktemp -d /tmp/esc-test.XXXXXX)
chmod 755 "$work"
cleanup() { scripts/postgres.sh stop "$work/pg" || true; rm -rf "$work"; }
trap cleanup EXIT

echo "== starting a throwaway PostgreSQL"
ESC_TEST_POSTGRES=$(scripts/postgres.sh start "$work/pg")
export ESC_TEST_POSTGRES

echo "== building"
dotnet build EscalationFunctions.sln -c Release -nologo -v quiet

echo "== testing"
status=0
dotnet test EscalationFunctions.sln -c Release --no-build -nologo \
  --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" --results-directory "$work/results" "$@" \
  2>&1 | tee "$work/test-output.log" || status=$?

# Repeat each failure's name and message just above the summary: CI logs are often read from the end.
if grep -qE '^\s+Failed ' "$work/test-output.log"; then
  echo "== failed tests"
  awk '/^[[:space:]]+Failed /{show=1} /^[[:space:]]+(Stack Trace:|Passed )/{show=0} show' "$work/test-output.log"
fi

passed=0; failed=0
for trx in "$work"/results/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1   # the run itself broke (crash, no results)
echo "$passed passed, $failed failed"
exit "$status"
