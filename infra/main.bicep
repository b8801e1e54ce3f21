// EscalationFunctions on Azure: the incident escalation worker as a Flex Consumption Function App
// (.NET 10 isolated worker) with its PostgreSQL database, Key Vault, Application Insights, the alert
// rules and workbook of spec section 7. Deployed into one resource group by `azd up` (azure.yaml)
// or `az deployment group create`; infra/README.md has the steps, the secrets to set and the choices.

targetScope = 'resourceGroup'

// ---- environment -----------------------------------------------------------------------------

@description('Name of the environment (azd sets AZURE_ENV_NAME); part of every resource name.')
@minLength(1)
@maxLength(40)
param environmentName string

@description('Azure region of the resources. Must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('Object id of a user or pipeline allowed to set the Key Vault secrets (azd sets AZURE_PRINCIPAL_ID). Empty: grant it by hand.')
param deployerPrincipalId string = ''

@description('Maximum number of Function App instances (the Flex Consumption minimum is 40).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

// ---- worker settings (spec section 2) ----------------------------------------------------------

@description('ESCALATION_WORKER_ENABLED. Pause the worker through this parameter, not the portal: every deployment writes all app settings again.')
param escalationWorkerEnabled bool = true

@description('ESCALATION_V1: the v1 feature flag.')
param escalationV1 bool = true

@description('ESC_CANARY_PCT: share of routes v1 escalates. The rollout (spec section 8) starts at 10 for 24 h, then 100.')
@minValue(0)
@maxValue(100)
param escCanaryPct int = 10

@description('ESC_DRY_RUN: compute and report what would escalate, write nothing.')
param escDryRun bool = false

@description('ESC_PAUSE_CRON: 5-field cron whose matches open pause windows (read in ESC_PAUSE_TZ). Empty: never paused.')
param escPauseCron string = ''

@description('ESC_TICK_MS: the tick period, also the base of the tick alerts (2 x). Only periods that a 6-field NCRONTAB timer can fire at evenly are allowed; ESC_TICK_SCHEDULE is derived from it.')
@allowed([
  5000
  10000
  15000
  20000
  30000
  60000
  120000
  300000
  600000
  900000
  1800000
  3600000
])
param escTickMs int = 60000

@description('APP_BASE_URL: absolute https URL; incident links are {APP_BASE_URL}/incidents/{incident_key}.')
param appBaseUrl string

// ---- database ------------------------------------------------------------------------------------

@description('PostgreSQL administrator login.')
param postgresAdminLogin string = 'escadmin'

@description('PostgreSQL administrator password (at least 16 characters). No default, never output.')
@secure()
param postgresAdminPassword string

@description('PostgreSQL Burstable compute size.')
@allowed([
  'Standard_B1ms'
  'Standard_B2s'
  'Standard_B2ms'
])
param postgresSkuName string = 'Standard_B1ms'

// ---- alerts --------------------------------------------------------------------------------------

@description('E-mail address of the on-call receiver in the action group.')
param alertEmailAddress string

@description('The incidents_level_ge5 alert fires when more than this many open incidents are at level 5 or above.')
@minValue(0)
param incidentsLevelGe5Threshold int = 0

// ---- names -----------------------------------------------------------------------------------------

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var env = toLower(environmentName)
var tags = {
  'azd-env-name': environmentName
  application: 'escalation-functions'
}
var azdServiceName = 'escalation'
var identityName = 'id-${env}-${token}'
var appInsightsName = 'appi-${env}-${token}'
var postgresDatabaseName = 'escalation'

// ---- derived and checked values ----------------------------------------------------------------

// ESC_TICK_SCHEDULE: the Functions timer (6-field NCRONTAB, seconds first) firing every ESC_TICK_MS.
// escTickMs is limited to periods that divide a minute or an hour evenly, so these fire evenly.
var tickSeconds = escTickMs / 1000
var tickSchedule = tickSeconds < 60
  ? '*/${tickSeconds} * * * * *'
  : tickSeconds < 3600 ? '0 */${tickSeconds / 60} * * * *' : '0 0 */${tickSeconds / 3600} * * *'

// Checked at deployment, before anything is created, with a message naming the parameter.
var checkedAppBaseUrl = startsWith(toLower(appBaseUrl), 'https://') && length(appBaseUrl) > 8
  ? appBaseUrl
  : fail('appBaseUrl (APP_BASE_URL) must be an absolute https URL, e.g. https://incidents.example.com; got \'${appBaseUrl}\'.')
var checkedAlertEmailAddress = contains(alertEmailAddress, '@')
  ? alertEmailAddress
  : fail('alertEmailAddress (ALERT_EMAIL_ADDRESS) must be an e-mail address for the on-call action group.')

// The settings of spec section 2 that are not secrets. The four secret ones are Key Vault
// references (modules/functionapp.bicep); KEY_VAULT_URI and APPLICATIONINSIGHTS_CONNECTION_STRING
// come from the resources.
var workerSettings = {
  ESCALATION_WORKER_ENABLED: escalationWorkerEnabled ? 'true' : 'false'
  ESCALATION_V1: escalationV1 ? 'true' : 'false'
  ESC_CANARY_PCT: string(escCanaryPct)
  ESC_DRY_RUN: escDryRun ? 'true' : 'false'
  MAX_ESC_LEVEL: '7'
  ESC_SNOOZE_MIN: '30'
  ESC_PAUSE_CRON: escPauseCron
  ESC_PAUSE_DURATION_MIN: '60'
  ESC_PAUSE_TZ: 'UTC'
  ESC_TICK_MS: string(escTickMs)
  ESC_TICK_SCHEDULE: tickSchedule
  ESC_CRIT_ACK_MIN: '5'
  ESC_WARN_ACK_MIN: '15'
  OPS_ADMIN_ROLE: 'ops_admin'
  OPS_RATE_LIMIT_PER_MIN: '10'
  APP_BASE_URL: checkedAppBaseUrl
}

// ---- resources -------------------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: 'log-${env}-${token}'
    appInsightsName: appInsightsName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${token}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package'
    identityName: identityName
  }
  dependsOn: [
    identity
  ]
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: 'kv-${token}'
    location: location
    tags: tags
    identityName: identityName
    deployerPrincipalId: deployerPrincipalId
  }
  dependsOn: [
    identity
  ]
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: 'psql-${env}-${token}'
    location: location
    tags: tags
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: length(postgresAdminPassword) >= 16
      ? postgresAdminPassword
      : fail('postgresAdminPassword (POSTGRES_ADMIN_PASSWORD) must have at least 16 characters.')
    skuName: postgresSkuName
    databaseName: postgresDatabaseName
  }
}

// Takes the storage and Key Vault modules' outputs, so the app and its settings are created only
// after its identity holds the storage roles and Key Vault Secrets User: the host and the Key Vault
// references work from the first start.
module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    planName: 'plan-${env}-${token}'
    name: 'func-${env}-${token}'
    location: location
    tags: tags
    azdServiceName: azdServiceName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    appInsightsName: appInsightsName
    keyVaultName: keyVault.outputs.name
    keyVaultUri: keyVault.outputs.uri
    maximumInstanceCount: maximumInstanceCount
    settings: workerSettings
  }
  dependsOn: [
    monitoring
  ]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: 'escalation-${env}'
    location: location
    tags: tags
    appInsightsName: appInsightsName
    actionGroupName: 'ag-${env}-${token}'
    alertEmailAddress: checkedAlertEmailAddress
    escTickMs: escTickMs
    incidentsLevelGe5Threshold: incidentsLevelGe5Threshold
  }
  dependsOn: [
    monitoring
  ]
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    displayName: 'Incident escalation (${environmentName})'
    location: location
    tags: tags
    appInsightsName: appInsightsName
  }
  dependsOn: [
    monitoring
  ]
}

// ---- outputs (names and endpoints only; azd stores them in the environment) ------------------------

output AZURE_LOCATION string = location
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URI string = keyVault.outputs.uri
output POSTGRES_SERVER_NAME string = postgres.outputs.name
output POSTGRES_HOST string = postgres.outputs.fullyQualifiedDomainName
output POSTGRES_DATABASE string = postgres.outputs.databaseName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output ESC_TICK_SCHEDULE string = tickSchedule
output ALERT_RULES array = alerts.outputs.ruleNames
output WORKBOOK_ID string = workbook.outputs.id
