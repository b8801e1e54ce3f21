// Parameters for infra/main.bicep. Values that differ per environment are read from environment
// variables, which `azd env set NAME VALUE` provides (azd passes its environment to Bicep):
//
//   AZURE_ENV_NAME, AZURE_PRINCIPAL_ID   set by azd itself
//   APP_BASE_URL                         absolute https URL of the incident pages
//   ALERT_EMAIL_ADDRESS                  on-call address for the alert action group
//   AUTH_CLIENT_ID                       client id of the app registration for App Service
//                                        Authentication (the azd preprovision hook sets it)
//   KEY_VAULT_ALLOWED_IPS                optional: comma-separated CIDRs that may reach Key Vault
//                                        (to set secrets from a workstation); empty: none
//
// A missing value compiles to '' and the deployment stops before creating anything, with a message
// naming the parameter. Secret values for the app itself go to Key Vault: infra/README.md.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'escalation')
param deployerPrincipalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')

param appBaseUrl = readEnvironmentVariable('APP_BASE_URL', '')
param alertEmailAddress = readEnvironmentVariable('ALERT_EMAIL_ADDRESS', '')
param authClientId = readEnvironmentVariable('AUTH_CLIENT_ID', '')

// Private by default: a virtual network with private endpoints; no public access to Key Vault,
// Storage or PostgreSQL (infra/README.md, "Network").
param vnetEnabled = true
param keyVaultAllowedIpRanges = empty(readEnvironmentVariable('KEY_VAULT_ALLOWED_IPS', ''))
  ? []
  : split(readEnvironmentVariable('KEY_VAULT_ALLOWED_IPS', ''), ',')

// First rollout (spec section 8): v1 on for 10% of routes for 24 h, then set 100 and deploy again.
param escalationV1 = true
param escCanaryPct = 10

// The tick period; ESC_TICK_SCHEDULE (the Functions timer) and the tick alert thresholds (2 x)
// follow it.
param escTickMs = 60000

// The incidents_level_ge5 alert fires above this many incidents at level 5 or above.
param incidentsLevelGe5Threshold = 0
