#!/usr/bin/env bash
# Runs the benchmarks (EscalationFunctions.Benchmarks) against a throwaway PostgreSQL on
# 127.0.0.1, prints the figures as a table and writes them to benchmark-results/.
#
#   ./scripts/benchmark.sh            # the full run, ~20 min: waits for a quiet machine (load < 0.5),
#                                     # writes benchmark-results/latest.{json,csv} and the figures
#                                     # section of docs/performance.md
#   ./scripts/benchmark.sh --quick    # small sizes, ~2 min, writes benchmark-results/quick.{json,csv} only
#   ./scripts/benchmark.sh --only slack --slack-runs 1   # any options of the program (--help lists them
#                                     # once it is built: --help alone never builds nor starts anything);
#                                     # runs with options write benchmark-results/partial.{json,csv}
#   ./scripts/benchmark.sh --only slack,slack-slow,slack-scaleout,slack-storm   # Slack delivery alone: one
#                                     # instance, the same beside a webhook answering after 9 s (timer every
#                                     # second), 4 instances sharing 100 webhooks, a storm on one webhook
#                                     # at the defaults (SLACK_DIGEST_MAX 40 since spec 1.2: the 30 s storm goal)
#   ./scripts/benchmark.sh --only slack-app   # Slack app mode: 1,000 pages over 100 channels, 300 acknowledged
#                                     # during delivery: calls/s against capacity, rewrites, ack-to-rewrite lag
#   ./scripts/benchmark.sh --quick --only slack-storm --storm-digest-max 20   # the storm alone, small,
#                                     # and again at another digest size to compare
#
# ESC_TEST_POSTGRES=<admin connection string> uses that server instead of starting one.
set -euo pipefail
cd "$(dirname "$0")/.."

dll=EscalationFunctions.Benchmarks/bin/Release/net10.0/EscalationFunctions.Benchmarks.dll
# --help or -h anywhere prints help and does nothing else: no build, no database.
for arg in "$@"; do
  if [ "$arg" = -h ] || [ "$arg" = --help ]; then
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
    echo
    if [ -f "$dll" ]; then
      dotnet "$dll" --help
    else
      echo "The program's options are listed here once it is built (any run builds it)."
    fi
    exit 0
  fi
done
# A mistake in the options is one line and exit 2 before anything is built or started (checked
# again after the build, by the program as built).
check_options() { [ $# -eq 0 ] || ESC_BENCH_CHECK_ONLY=1 dotnet "$dll" "$@" || exit $?; }
[ ! -f "$dll" ] || check_options "$@"

command -v dotnet >/dev/null || { echo "benchmark.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }

args=("$@")
# Only the full run produces the figures the docs show, so only it waits for quiet and rewrites them.
[ $# -eq 0 ] && args=(--wait-quiet --docs docs/performance.md)

echo "== building (Release)"
dotnet build EscalationFunctions.Benchmarks/EscalationFunctions.Benchmarks.csproj -c Release -nologo -v quiet
check_options "$@"

work=""
if [ -z "${ESC_TEST_POSTGRES:-}" ]; then
  work=$(mktemp -d /tmp/esc-bench.XXXXXX)
  chmod 755 "$work"
  cleanup() { scripts/postgres.sh stop "$work/pg" || true; rm -rf "$work"; }
  trap cleanup EXIT
  echo "== starting a throwaway PostgreSQL"
  # postgres.sh installs PostgreSQL when missing and creates the cluster, but runs it tuned for tests
  # (fsync, synchronous_commit and full_page_writes off). The figures are meant to say what the
  # worker does against a real server, where every commit is flushed: the per-row baseline commits
  # 10,000 times, the tick ten. So the cluster is restarted with PostgreSQL's durable defaults, and
  # a buffer cache that holds the largest database (1,000,000 incidents with their history, ~1.2 GB)
  # and the template it is copied from, as a production server would hold its working set
  # (PostgreSQL's default is 128 MB; its documentation suggests 25% of RAM on a dedicated server).
  scripts/postgres.sh start "$work/pg" >/dev/null
  scripts/postgres.sh stop "$work/pg"
  bindir=${PG_BINDIR:-}
  [ -n "$bindir" ] || bindir=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")
  [ -x "$bindir/pg_ctl" ] || bindir=$(dirname "$(readlink -f "$(command -v initdb)")")
  as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  port=$(cat "$work/pg/port")
  as_owner "$bindir/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $work/pg -c shared_buffers=4GB -c max_connections=300" start >/dev/null \
    || { tail -20 "$work/pg/server.log" >&2; echo "benchmark.sh: could not start PostgreSQL" >&2; exit 1; }
  export ESC_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
fi

export ESC_BENCH_COMMAND="./scripts/benchmark.sh${*:+ $*}"
dotnet EscalationFunctions.Benchmarks/bin/Release/net10.0/EscalationFunctions.Benchmarks.dll "${args[@]}"
