#!/usr/bin/env bash
# Creates the Microsoft Entra app registration that App Service Authentication accepts tokens for,
# with the app role ops_admin (infra/app-roles.json; OPS_ADMIN_ROLE), and stores its client id in
# the azd environment as AUTH_CLIENT_ID, which infra/main.bicepparam reads. azd runs it before
# every `azd provision` (azure.yaml, hook preprovision); it does nothing when AUTH_CLIENT_ID is set.
#
#   scripts/create-app-registration.sh      (needs `az login` with the right to create app registrations)
#   scripts/create-app-registration.sh --help   this text; it takes no other arguments
#
# Where users may not create app registrations (a tenant setting), ask an administrator to run it,
# or to create one by hand (docs: infra/README.md, "Sign-in"), then `azd env set AUTH_CLIENT_ID <id>`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "create-app-registration.sh: $*" >&2; exit 1; }

for arg in "$@"; do
  if [ "$arg" = -h ] || [ "$arg" = --help ]; then
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
    exit 0
  fi
done
if [ $# -gt 0 ]; then
  echo "create-app-registration.sh: takes no arguments, got '$1' (--help explains it)" >&2
  exit 2
fi

existing=${AUTH_CLIENT_ID:-}
if [ -z "$existing" ] && command -v azd >/dev/null; then
  existing=$(azd env get-value AUTH_CLIENT_ID 2>/dev/null || true)
fi
if [ -n "$existing" ]; then
  echo "create-app-registration.sh: AUTH_CLIENT_ID is set ($existing); nothing to do." >&2
  exit 0
fi

command -v az >/dev/null || die "the Azure CLI (az) is needed to create the app registration"
az account show -o none 2>/dev/null || die "not signed in: run 'az login' first"

name="escalation-functions-${AZURE_ENV_NAME:-dev}"
echo "create-app-registration.sh: creating app registration '$name'" >&2
if ! client_id=$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg \
    --app-roles "@$root/infra/app-roles.json" --query appId -o tsv); then
  die "'az ad app create' failed: your account may not create app registrations in this tenant. Ask an administrator to run this script, or to create one with the app role in infra/app-roles.json, then run: azd env set AUTH_CLIENT_ID <client id>"
fi

# api://<client id> as the application id URI, so clients can ask for tokens with that audience.
az ad app update --id "$client_id" --identifier-uris "api://$client_id" -o none
# A service principal in this tenant; only users and apps assigned a role get tokens for it.
az ad sp create --id "$client_id" -o none
az ad sp update --id "$client_id" --set appRoleAssignmentRequired=true -o none

if command -v azd >/dev/null; then
  azd env set AUTH_CLIENT_ID "$client_id"
fi
echo "create-app-registration.sh: AUTH_CLIENT_ID=$client_id. Assign the on-call SRE group the role ops_admin:" >&2
echo "  Entra admin center > Enterprise applications > $name > Users and groups > Add (role: Escalation ops admin)" >&2
