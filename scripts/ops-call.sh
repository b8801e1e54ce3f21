#!/usr/bin/env bash
# Calls the local worker's ops endpoints, signed:
#   ./scripts/ops-call.sh health
#   ./scripts/ops-call.sh tick   ['{"reason":"manual"}']
#   ./scripts/ops-call.sh recalc ['{"reason":"manual"}']
#   ./scripts/ops-call.sh ack KEY        acknowledge incident KEY (any characters: it travels in the signed JSON body;
#                                        only a key that is -h or --help needs --: ack -- --help)
#   ./scripts/ops-call.sh --functions tick     the same calls against the Functions app's `func start`
#   ./scripts/ops-call.sh --help         this text
# Against the plain worker (./scripts/run-local.sh) it reads OPS_HMAC_SECRET and the worker's address
# from .local/env. With --functions it reads OPS_HMAC_SECRET (and OPS_ADMIN_ROLE) from the Values of
# EscalationFunctions/local.settings.json, or of the file OPS_LOCAL_SETTINGS names, and calls
# http://localhost:7071, where `func start` serves (Host.LocalHttpPort when the file sets one); reading
# that file takes Node.js, which Azurite needs anyway.
# It signs with the server's own `sign` command; locally the caller is "$USER" holding OPS_ADMIN_ROLE
# (OPS_TRUST_PRINCIPAL_HEADER=true). OPS_BASE_URL, exported, overrides the address; OPS_FUNCTION_KEY,
# when set, is sent as x-functions-key.
# Prints the answer's body. Exits 0 on a 2xx answer, 1 on any other answer (its status on stderr) or
# when nothing answers, 2 when the command line is wrong.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; }
usage_error() { echo "ops-call.sh: $*" >&2; exit 2; }
die() { echo "ops-call.sh: $*" >&2; exit 1; }
calls="expected health, tick [BODY], recalc [BODY] or ack KEY (--help explains them)"

# --help or -h anywhere (before a --) prints help and does nothing else.
for arg in "$@"; do
  [ "$arg" = -- ] && break
  if [ "$arg" = -h ] || [ "$arg" = --help ]; then usage; exit 0; fi
done

# Options go before the call; what follows the call is its argument, as it is (`ack -1` acknowledges '-1').
functions=""
while [ $# -gt 0 ]; do
  case "$1" in
    --functions) functions=1;;
    --) shift; break;;
    -?*) usage_error "unknown option '$1': expected --functions or --help before the call";;
    *) break;;
  esac
  shift
done
args=("$@")
if [ ${#args[@]} -ge 2 ] && [ "${args[1]}" = -- ]; then args=("${args[0]}" "${args[@]:2}"); fi

endpoint=${args[0]:-}
body=${args[1]:-}
case "$endpoint" in
  health) [ ${#args[@]} -le 1 ] || usage_error "health takes no argument, got '${args[1]}'";;
  tick|recalc) [ ${#args[@]} -le 2 ] || usage_error "$endpoint takes at most one argument (a JSON body), got '${args[2]}' too";;
  ack)
    [ -n "$body" ] || usage_error "ack needs the incident's key: ops-call.sh ack KEY"
    [ ${#args[@]} -le 2 ] || usage_error "ack takes one incident key, got '${args[2]}' too (quote a key with spaces)";;
  "") usage_error "which call? $calls";;
  *) usage_error "unknown call '$endpoint': $calls";;
esac

own_base=${OPS_BASE_URL:-}
settings_file=${OPS_LOCAL_SETTINGS:-}
[ -n "$functions" ] && settings_file=${settings_file:-EscalationFunctions/local.settings.json}
if [ -n "$settings_file" ]; then
  # The Functions app's settings: what `func start` runs with (README, "Run on the Azure Functions host").
  [ -f "$settings_file" ] || die "no $settings_file; copy local.settings.example.json there first (README, \"Run on the Azure Functions host\")"
  command -v node >/dev/null || die "reading $settings_file takes Node.js (node), which Azurite needs too"
  values=$(node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const v = s.Values || {};
    process.stdout.write([(s.Host && s.Host.LocalHttpPort) || 7071, v.OPS_ADMIN_ROLE || "", v.OPS_HMAC_SECRET || ""].join("\n"));
  ' "$settings_file" 2>/dev/null) || die "$settings_file is not valid JSON"
  { read -r port; read -r role; IFS= read -r secret || true; } <<<"$values"
  [ -n "$secret" ] || die "$settings_file sets no OPS_HMAC_SECRET in Values"
  export OPS_HMAC_SECRET=$secret
  [ -z "$role" ] || OPS_ADMIN_ROLE=$role
  base=${own_base:-http://localhost:$port}
else
  [ -f .local/env ] || die "no .local/env; start the worker with ./scripts/run-local.sh first (or --functions for func start)"
  # shellcheck disable=SC1091
  source .local/env
  # The worker's address: OPS_BASE_URL exported here, else the one run-local.sh recorded.
  base=${own_base:-${OPS_BASE_URL:-http://127.0.0.1:7071}}
fi

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

# curl with the given arguments: prints the answer's body; anything but a 2xx answer is a failure.
call() {
  local out code status=0
  out=$(mktemp)
  code=$(curl -sS -o "$out" -w '%{http_code}' "$@") || status=$?
  cat "$out"; rm -f "$out"
  echo
  [ "$status" -ne 7 ] || die "nothing answers at $base; start the worker (./scripts/run-local.sh, or func start with --functions) or set OPS_BASE_URL"
  [ "$status" -eq 0 ] || die "curl failed (exit $status) calling $base"
  case "$code" in
    2??) ;;
    *) die "$endpoint answered HTTP $code (body above)";;
  esac
}

# Runs the curl command `sign --url` printed (every value in it single-quoted) through call().
signed_call() {
  local cmd
  cmd=$("${server[@]}" sign "$@" --as "${USER:-operator}:${OPS_ADMIN_ROLE:-ops_admin}" "${key_args[@]}")
  [[ $cmd == "curl "* ]] || die "sign printed no curl command"
  eval "call ${cmd#curl }"
}

case "$endpoint" in
  health)
    if [ -n "${OPS_FUNCTION_KEY:-}" ]; then
      call "$base/ops/escalation/health" -H "x-functions-key: ${OPS_FUNCTION_KEY%%,*}"
    else
      call "$base/ops/escalation/health"
    fi
    ;;
  tick|recalc)
    body_args=()
    [ -n "$body" ] && body_args=(--body "$body")
    signed_call --url "$base/ops/escalation/$endpoint" "${body_args[@]}"
    ;;
  ack)
    # The body form (POST /ops/incidents/ack): any key, ".", ".." and '%' included, on either host. A fresh
    # request id makes every call's signature new: a repeat within the same second is not a replay.
    request_id="$(date +%s%N)-$$-$RANDOM"
    signed_call --url "$base/ops/incidents/ack" --body "{\"incidentKey\":$(json_string "$body"),\"requestId\":\"$request_id\"}"
    ;;
esac
