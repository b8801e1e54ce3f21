#!/usr/bin/env bash
# Runs the worker on this machine with everything it needs:
#   ./scripts/run-local.sh              start PostgreSQL (unless POSTGRES_CONNECTION_STRING names another
#                                       database), apply migrations, serve on http://127.0.0.1:7071, tick every 10 s
#   ./scripts/run-local.sh samples      add demo incidents (in a second terminal) and watch them escalate
#   ./scripts/run-local.sh status       what is open, what escalated, what waits for Slack (--json for scripts);
#                                       reads the running local PostgreSQL, never starts it
#   ./scripts/run-local.sh migrate      only apply migrations
#   ./scripts/run-local.sh resolve KEY  mark an incident resolved (audited); it escalates no more
#   ./scripts/run-local.sh check        validate the settings the worker would start with and reach PostgreSQL
#                                       and Slack's host(s), changing nothing (never starts PostgreSQL)
#   ./scripts/run-local.sh slack-test [ROUTE]   post one test message where ROUTE's pages go; prints Slack's answer
#   ./scripts/run-local.sh stop         stop the worker this script started, then the local PostgreSQL
#   ./scripts/run-local.sh help         the server's commands and options (builds the server the first time)
#   ./scripts/run-local.sh --help       this text; COMMAND --help: that command's options. --help or -h
#                                       anywhere only prints: it never builds, starts or stops anything
# Without SLACK_WEBHOOK_URL, Slack messages are printed to the console (SLACK_DELIVERY=console). With
# SLACK_CHANNEL set too (and no SLACK_BOT_TOKEN), Slack app mode is rehearsed there: each chat.postMessage,
# its thread, and each chat.update after an acknowledgement or a resolve.
#
# Your settings go in .local/settings (made on the first run, read on every start, never rewritten);
# a setting exported in the shell wins over it. .local/env is written by this script once the
# worker listens, for `source .local/env` and scripts/ops-call.sh: the database, the ops key and
# the worker's address. Sourcing it does not change what the next start does.
# Another port: ./scripts/run-local.sh --urls http://127.0.0.1:7072, or ASPNETCORE_URLS=... exported or in
# .local/settings; .local/env records it, so ops-call.sh and the incident links follow.
# RUN_LOCAL_NO_BUILD=1 serves the server as already built (tests, which build it first).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "run-local.sh: $*" >&2; exit 1; }
# A command line this script cannot use: one line, exit 2, before anything is built, started or stopped.
usage_error() { echo "run-local.sh: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; }
# Builds the server quietly; on failure shows the compiler's output.
build() {
  dotnet build EscalationFunctions.Server -c Release -nologo -v quiet >.local/build.log 2>&1 \
    || { cat .local/build.log >&2; die "the build failed (output above, also in .local/build.log)"; }
}

pgdir=.local/postgres
pidfile=.local/worker.pid
dll=EscalationFunctions.Server/bin/Release/net10.0/EscalationFunctions.Server.dll

# The command is the first argument; without one, or when the first is an option (--urls X), the worker serves.
command=serve
if [ $# -gt 0 ] && [[ $1 != -* ]]; then
  command=$1; shift
elif [ $# -gt 0 ] && [[ $1 == -h || $1 == --help ]]; then
  usage; exit 0
fi

# --help or -h anywhere prints help and does nothing else: no build, no database, no stop.
for arg in "$@"; do
  [[ $arg == -h || $arg == --help ]] || continue
  case "$command" in
    serve|samples|status|migrate|sign|help|resolve|check|slack-test)
      # The server's own help for its commands, when it is built (building is not help's business).
      [ -f "$dll" ] && exec dotnet "$dll" "$command" --help
      usage; echo
      echo "The options of '$command': ./scripts/run-local.sh help $command (builds the server the first time).";;
    *) usage;;
  esac
  exit 0
done

case "$command" in
  serve|samples|status|migrate|resolve|check|slack-test) ;;
  stop) [ $# -eq 0 ] || usage_error "stop takes no arguments, got '$1' (--help explains the commands)";;
  help|sign) ;; # the server's: no database needed
  *) usage_error "unknown command '$command': expected serve, samples, status, migrate, resolve, check, slack-test, stop, sign or help (--help explains them)";;
esac

mkdir -p .local

# The worker this script started, if it still runs (the pid file could name a recycled pid: check it is ours).
running_worker() {
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'EscalationFunctions.Server.dll' \
    && echo "$pid"
}

if [ "$command" = help ] || [ "$command" = sign ]; then
  [ -f "$dll" ] || build
  exec dotnet "$dll" "$command" "$@"
fi

# A mistake in the command's options is found before anything starts: the server checks the line
# (one line naming the option, the value and what it expects; exit 2) without running it.
# (With no server built yet, it is built first; serve then need not build it again below.)
if [ $# -gt 0 ] && [ "$command" != stop ]; then
  [ -f "$dll" ] || { build; RUN_LOCAL_NO_BUILD=1; }
  ESCALATION_CLI_CHECK_ONLY=1 dotnet "$dll" "$command" "$@" || exit $?
fi

# serve --urls X (also --urls=X): where the worker listens, as if ASPNETCORE_URLS were X, so the port
# check, APP_BASE_URL (the incident links) and .local/env's OPS_BASE_URL below all follow it.
cli_urls=""
if [ "$command" = serve ]; then
  prev=""
  for arg in "$@"; do
    [ "$prev" = --urls ] && cli_urls=$arg
    case "$arg" in --urls=*|--urls:*) cli_urls=${arg#--urls?};; esac
    prev=$arg
  done
fi

if [ "$command" = stop ]; then
  if pid=$(running_worker); then
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid" 2>/dev/null || true; }
    echo "Worker (pid $pid) stopped."
  fi
  rm -f "$pidfile"
  [ -e "$pgdir" ] && scripts/postgres.sh stop "$pgdir"
  echo "Local PostgreSQL stopped; its data stays in $pgdir."
  exit 0
fi

if [ "$command" = serve ] && pid=$(running_worker); then
  die "a worker started by this script already runs (pid $pid); stop it with ./scripts/run-local.sh stop"
fi

# Values that came from `source .local/env` are this script's own output, not the user's choice:
# forget them, so that the local cluster is started and .local/settings is read as on a fresh shell.
if [ -f .local/env ]; then
  for name in POSTGRES_CONNECTION_STRING OPS_HMAC_SECRET OPS_BASE_URL APP_BASE_URL; do
    if [ -n "${!name:-}" ] && [ "${!name}" = "$(unset "$name"; source .local/env >/dev/null 2>&1; printf '%s' "${!name:-}")" ]; then
      unset "$name"
    fi
  done
fi

if [ ! -f .local/settings ]; then
  cat >.local/settings <<'EOF'
# Your settings for ./scripts/run-local.sh (shell syntax, NAME=value). Read on every start and never
# rewritten; a variable exported in the shell wins. Every setting: docs/reference.md, section 2.
ESC_TICK_MS=10000
# ESC_DRY_RUN=true
# ESC_CANARY_PCT=100
# ESC_PAUSE_CRON="0 22 * * *"
# SLACK_WEBHOOK_URL=https://hooks.slack.com/services/...
# SLACK_ROUTE_WEBHOOKS='{"payments":"https://hooks.slack.com/services/..."}'   JSON goes in single quotes, or the shell drops its "
# SLACK_CHANNEL=C0LOCAL        Slack app mode, printed: threads and rewrites (SLACK_BOT_TOKEN=xoxb-... posts for real)
# ASPNETCORE_URLS=http://127.0.0.1:7071
EOF
fi
# Read .local/settings, then restore what the shell exported: an exported setting wins.
exported=$(export -p)
set -a
# shellcheck disable=SC1091
source .local/settings
set +a
eval "$exported"

# status only reads: it never starts PostgreSQL. A local cluster that is not running is one line
# saying so and how to start it.
if [ "$command" = status ] && [ -z "${POSTGRES_CONNECTION_STRING:-}" ]; then
  port=$(cat "$pgdir/port" 2>/dev/null || true)
  if [ ! -e "$pgdir/data" ]; then
    die "there is no local PostgreSQL yet ($pgdir); start one with ./scripts/run-local.sh (the worker) or ./scripts/run-local.sh migrate (the database alone)"
  elif ! [[ $port =~ ^[0-9]+$ ]] || ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "the local PostgreSQL ($pgdir${port:+, port $port}) is not running; start it with ./scripts/run-local.sh (the worker) or ./scripts/run-local.sh migrate (the database alone)"
  fi
  export POSTGRES_CONNECTION_STRING="Host=127.0.0.1;Port=$port;Username=postgres;Database=escalation"
fi
# check and slack-test change nothing either: they use the local cluster's address as it is (check says
# when nothing answers there; slack-test does not need it).
if { [ "$command" = check ] || [ "$command" = slack-test ]; } && [ -z "${POSTGRES_CONNECTION_STRING:-}" ]; then
  port=$(cat "$pgdir/port" 2>/dev/null || echo 55432)
  export POSTGRES_CONNECTION_STRING="Host=127.0.0.1;Port=$port;Username=postgres;Database=escalation"
fi

if [ "$command" = serve ]; then
  [ -z "$cli_urls" ] || export ASPNETCORE_URLS=$cli_urls
  # Where the worker will listen (the first of ASPNETCORE_URLS, else the server's default), checked before anything starts.
  url=${ASPNETCORE_URLS:-http://127.0.0.1:7071}
  url=${url%%;*}
  hostport=${url#*://}; hostport=${hostport%%/*}
  listen_port=${hostport##*:}
  [[ "$listen_port" =~ ^[0-9]+$ ]] || listen_port=80
  if (exec 3<>"/dev/tcp/127.0.0.1/$listen_port") 2>/dev/null; then
    die "port $listen_port is in use by another process; choose another with ./scripts/run-local.sh --urls http://127.0.0.1:7072 (or ASPNETCORE_URLS=http://127.0.0.1:7072); scripts/ops-call.sh follows it"
  fi
  base="http://127.0.0.1:$listen_port"
fi

# The cluster runs as the `postgres` user, which must be able to reach its folder. When the clone
# sits somewhere it cannot (under /root, say), keep the cluster in /var/tmp behind a link.
if [ "$(id -u)" = 0 ] && [ ! -e "$pgdir" ] && ! runuser -u postgres -- test -x "$(pwd)/.local" 2>/dev/null; then
  target="/var/tmp/escalationfunctions-$(pwd | sha256sum | cut -c1-12)/postgres"
  mkdir -p "$target" && chmod 755 "$(dirname "$target")"
  ln -s "$target" "$pgdir"
fi

if [ -z "${POSTGRES_CONNECTION_STRING:-}" ]; then
  port_arg=""
  if [ ! -f "$pgdir/port" ] && ! (exec 3<>/dev/tcp/127.0.0.1/55432) 2>/dev/null; then port_arg=55432; fi
  admin=$(scripts/postgres.sh start "$pgdir" $port_arg)
  port=$(cat "$pgdir/port")
  if ! psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'escalation'" | grep -q 1; then
    psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE escalation" >/dev/null
  fi
  export POSTGRES_CONNECTION_STRING="${admin/Database=postgres/Database=escalation}"
  echo "PostgreSQL on 127.0.0.1:$port, database 'escalation' (data in $pgdir)" >&2
fi

# A local HMAC key for the ops endpoints, made once.
[ -f .local/ops-hmac-secret ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .local/ops-hmac-secret
export OPS_HMAC_SECRET=${OPS_HMAC_SECRET:-$(cat .local/ops-hmac-secret)}

# The worker's local defaults; check and slack-test see the settings serve would start with.
export APP_BASE_URL=${APP_BASE_URL:-http://localhost:${listen_port:-7071}}
export OPS_TRUST_PRINCIPAL_HEADER=${OPS_TRUST_PRINCIPAL_HEADER:-true}
if [ -z "${SLACK_WEBHOOK_URL:-}" ] && [ -z "${SLACK_ROUTE_WEBHOOKS:-}" ] && [ -z "${SLACK_BOT_TOKEN:-}" ]; then
  export SLACK_DELIVERY=${SLACK_DELIVERY:-console}
fi

# Commands other than serve use the built server (building it the first time).
if [ "$command" != serve ]; then
  [ -f "$dll" ] || build
  exec dotnet "$dll" "$command" "$@"
fi

[ -n "${RUN_LOCAL_NO_BUILD:-}" ] || build

# The worker runs as this script's child so that `stop` (its pid file) and Ctrl+C (the trap) end it.
dotnet "$dll" serve "$@" &
worker=$!
echo "$worker" > "$pidfile"
trap 'kill -TERM "$worker" 2>/dev/null || true' INT TERM

# .local/env is written once the worker answers, so a start that failed leaves the last good one.
for _ in $(seq 1 600); do
  kill -0 "$worker" 2>/dev/null || break
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/" 2>/dev/null || true)" != 000 ]; then
    {
      echo "# Written by scripts/run-local.sh when the worker started; rewritten on every start, so do not edit it:"
      echo "# your settings go in .local/settings. Source it to talk to the local worker (psql, ops-call.sh)."
      for name in POSTGRES_CONNECTION_STRING OPS_HMAC_SECRET APP_BASE_URL; do
        printf 'export %s=%q\n' "$name" "${!name}"
      done
      printf 'export OPS_BASE_URL=%q\n' "$base"
    } > .local/env.tmp
    mv .local/env.tmp .local/env
    break
  fi
  sleep 0.2
done

# The worker's own exit code; after Ctrl+C, `wait` returns when the trap runs, so wait again for its shutdown.
while :; do
  wait "$worker" && status=0 || status=$?
  kill -0 "$worker" 2>/dev/null || break
done
[ "$(cat "$pidfile" 2>/dev/null)" = "$worker" ] && rm -f "$pidfile"
exit "$status"
