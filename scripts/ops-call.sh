#!/usr/bin/env bash
# Calls the local worker's ops endpoints (started with ./scripts/run-local.sh), signed:
#   ./scripts/ops-call.sh health
#   ./scripts/ops-call.sh tick   ['{"reason":"manual"}']
#   ./scripts/ops-call.sh recalc
#   ./scripts/ops-call.sh ack KEY        acknowledge incident KEY (any characters: it travels in the signed JSON body)
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

# The key as a JSON string: quote, backslash and control characters escaped, every other byte as it is.
json_string() {
  local LC_ALL=C s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case "$c" in
      '\' | '"') out+="\\$c" ;;
      [[:cntrl:]]) out+=$(printf '\\u%04x' "'$c") ;;
      *) out+=$c ;;
    esac
  done
  printf '"%s"' "$out"
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
    # The body form (POST /ops/incidents/ack): any key, ".", ".." and '%' included, on either host. A fresh
    # request id makes every call's signature new: a repeat within the same second is not a replay.
    request_id="$(date +%s%N)-$$-$RANDOM"
    cmd=$("${server[@]}" sign --url "$base/ops/incidents/ack" \
          --body "{\"incidentKey\":$(json_string "$body"),\"requestId\":\"$request_id\"}" \
          --as "${USER:-operator}:${OPS_ADMIN_ROLE:-ops_admin}" "${key_args[@]}")
    eval "$cmd"
    ;;
  *) echo "usage: ops-call.sh health|tick|recalc [body] | ack KEY" >&2; exit 2;;
esac
echo
