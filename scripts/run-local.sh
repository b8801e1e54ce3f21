#!/usr/bin/env bash
# Runs the worker on this machine with everything it needs:
#   ./scripts/run-local.sh            start PostgreSQL (unless POSTGRES_CONNECTION_STRING is set), apply
#                                     migrations, serve on http://127.0.0.1:7071, tick every 10 s
#   ./scripts/run-local.sh samples    add demo incidents (in a second terminal) and watch them escalate
#   ./scripts/run-local.sh migrate    only apply migrations
#   ./scripts/run-local.sh stop       stop the local PostgreSQL
# Without SLACK_WEBHOOK_URL, Slack messages are printed to the console (SLACK_DELIVERY=console).
# Settings live in .local/env (git-ignored); any setting exported before the call wins.
set -euo pipefail
cd "$(dirname "$0")/.."
command=${1:-serve}

mkdir -p .local
pgdir=.local/postgres
# The cluster runs as the `postgres` user, which must be able to reach its folder. When the clone
# sits somewhere it cannot (under /root, say), keep the cluster in /var/tmp behind a link.
if [ "$(id -u)" = 0 ] && [ ! -e "$pgdir" ] && ! runuser -u postgres -- test -x "$(pwd)/.local" 2>/dev/null; then
  target="/var/tmp/escalationfunctions-$(pwd | sha256sum | cut -c1-12)/postgres"
  mkdir -p "$target" && chmod 755 "$(dirname "$target")"
  ln -s "$target" "$pgdir"
fi

if [ "$command" = stop ]; then
  scripts/postgres.sh stop "$pgdir"
  echo "Local PostgreSQL stopped."
  exit 0
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
  echo "PostgreSQL on 127.0.0.1:$port, database 'escalation' (data in $pgdir)"
fi

# A local HMAC key for the ops endpoints, made once.
[ -f .local/ops-hmac-secret ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .local/ops-hmac-secret

export APP_BASE_URL=${APP_BASE_URL:-http://localhost:7071}
export ESC_TICK_MS=${ESC_TICK_MS:-10000}
export OPS_HMAC_SECRET=${OPS_HMAC_SECRET:-$(cat .local/ops-hmac-secret)}
export OPS_TRUST_PRINCIPAL_HEADER=${OPS_TRUST_PRINCIPAL_HEADER:-true}
if [ -z "${SLACK_WEBHOOK_URL:-}" ] && [ -z "${SLACK_ROUTE_WEBHOOKS:-}" ]; then
  export SLACK_DELIVERY=${SLACK_DELIVERY:-console}
fi

{
  echo "# Written by scripts/run-local.sh; source it to talk to the local worker."
  for name in POSTGRES_CONNECTION_STRING APP_BASE_URL ESC_TICK_MS OPS_HMAC_SECRET OPS_TRUST_PRINCIPAL_HEADER SLACK_DELIVERY; do
    [ -n "${!name:-}" ] && printf 'export %s=%q\n' "$name" "${!name}"
  done
} > .local/env

exec dotnet run --project EscalationFunctions.Server -c Release -- "$command"
