#!/usr/bin/env bash
# Calls the local worker's ops endpoints (started with ./scripts/run-local.sh), signed:
#   ./scripts/ops-call.sh health
#   ./scripts/ops-call.sh tick   ['{"reason":"manual"}']
#   ./scripts/ops-call.sh recalc
#   ./scripts/ops-call.sh ack KEY        acknowledge incident KEY (any characters; it is percent-encoded)
# Reads OPS_HMAC_SECRET and the worker's address from .local/env and signs with the server's own
# `sign` command; locally the caller is "$USER" holding OPS_ADMIN_ROLE (OPS_TRUST_PRINCIPAL_HEADER=true).
# OPS_BASE_URL, exported, overrides the address; OPS_FUNCTION_KEY, when set, is sent as x-functions-key.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .local/env ] || { echo "ops-call.sh: no .local/env; start the worker with ./scripts/run-local.sh first" >&2; exit 1; }
own_base=${OPS_BASE_URL:-}
# shellcheck disable=SC1091
source .local/env
# The worker's address: OPS_BASE_URL exported here, else the one run-local.sh recorded.
base=${own_base:-${OPS_BASE_URL:-http://127.0.0.1:7071}}
endpoint=${1:-}
body=${2:-}

server=(dotnet EscalationFunctions.Server/bin/Release/net10.0/EscalationFunctions.Server.dll)
[ -f "${server[1]}" ] || server=(dotnet run --project EscalationFunctions.Server -c Release --)

key_args=()
[ -n "${OPS_FUNCTION_KEY:-}" ] && key_args=(--function-key-env OPS_FUNCTION_KEY)

# Percent-encodes every byte but unreserved ones, so a key is one path segment whatever it holds.
urlencode() {
  local LC_ALL=C s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in
      [a-zA-Z0-9.~_-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  # "." and ".." would be read as dot segments.
  case "$out" in .) out=%2E ;; ..) out=%2E%2E ;; esac
  printf '%s' "$out"
}

case "$endpoint" in
  health)
    if [ -n "${OPS_FUNCTION_KEY:-}" ]; then
      curl -sS "$base/ops/escalation/health" -H "x-functions-key: ${OPS_FUNCTION_KEY%%,*}"
    else
      curl -sS "$base/ops/escalation/health"
    fi
    ;;
  tick|recalc)
    body_args=()
    [ -n "$body" ] && body_args=(--body "$body")
    cmd=$("${server[@]}" sign --url "$base/ops/escalation/$endpoint" "${body_args[@]}" \
          --as "${USER:-operator}:${OPS_ADMIN_ROLE:-ops_admin}" "${key_args[@]}")
    eval "$cmd"
    ;;
  ack)
    [ -n "$body" ] || { echo "usage: ops-call.sh ack INCIDENT_KEY" >&2; exit 2; }
    key=$(urlencode "$body")
    cmd=$("${server[@]}" sign --url "$base/ops/incidents/$key/ack" \
          --as "${USER:-operator}:${OPS_ADMIN_ROLE:-ops_admin}" "${key_args[@]}")
    eval "$cmd"
    ;;
  *) echo "usage: ops-call.sh health|tick|recalc [body] | ack KEY" >&2; exit 2;;
esac
echo
