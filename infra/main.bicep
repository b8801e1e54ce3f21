// EscalationFunctions on Azure: the incident escalation worker as a Flex Consumption Function App
// (.NET 10 isolated worker) with its PostgreSQL database, Key Vault, Application Insights, the alert
// rules and workbook of spec section 7. Secure by default: a virtual network with private endpoints
// (vnetEnabled), passwordless PostgreSQL (Entra ID tokens of the app's identity), and App Service
// Authentication in front of every endpoint but Slack's signed callback. Deployed into one resource group by `azd up` (azure.yaml)
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

@description('SLACK_DIGEST_THRESHOLD: more waiting escalations than this for one webhook go out as digests.')
@minValue(1)
param slackDigestThreshold int = 5

@description('SLACK_DIGEST_MAX: escalations per digest message (spec 1.2 default 40, the largest).')
@minValue(2)
@maxValue(40)
param slackDigestMax int = 40

@description('SLACK_LEVEL_MENTIONS: route name or * to an object of level to Slack mention, e.g. {"*": {"3": "<!here>"}}.')
param slackLevelMentions object = {}

@description('SLACK_RESPONSE_URL_HOSTS: hosts the worker may post Slack response_url answers to (comma-separated).')
param slackResponseUrlHosts string = 'hooks.slack.com'

@description('SLACK_CHANNEL: Slack app mode (the Key Vault secret slack-bot-token exists): the channel id (C... or G...) of routes without their own.')
param slackChannel string = ''

@description('SLACK_ROUTE_CHANNELS: Slack app mode: route name to channel id, e.g. {"payments": "C0123ABCD"}.')
param slackRouteChannels object = {}

// ---- network and sign-in -----------------------------------------------------------------------

@description('True: a virtual network, the app integrated with it, private endpoints and DNS zones for Key Vault, Storage and PostgreSQL, and public network access disabled on all three. False: public endpoints guarded by Entra ID, PostgreSQL reachable only from postgresAllowedIpRanges (infra/README.md).')
param vnetEnabled bool = true

@description('With vnetEnabled: public addresses in CIDR form (e.g. 203.0.113.7/32) that may reach Key Vault, for the operators who set its secrets. Empty: the vault has no public access.')
param keyVaultAllowedIpRanges array = []

@description('Without vnetEnabled: public addresses allowed to reach PostgreSQL, each "a.b.c.d" or "a.b.c.d-e.f.g.h". Empty: none. 0.0.0.0 (all of Azure) is refused.')
param postgresAllowedIpRanges array = []

@description('Client id of the Microsoft Entra app registration App Service Authentication accepts tokens for (scripts/create-app-registration.sh creates it and sets AUTH_CLIENT_ID).')
param authClientId string

// ---- database ------------------------------------------------------------------------------------

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
var keyVaultName = 'kv-${token}'
var storageName = 'st${token}'
var postgresName = 'psql-${env}-${token}'

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
var checkedAuthClientId = length(authClientId) == 36 && length(split(authClientId, '-')) == 5
  ? authClientId
  : fail('authClientId (AUTH_CLIENT_ID) must be the client id (a GUID) of the app registration; scripts/create-app-registration.sh creates one and sets it.')
var checkedPostgresAllowedIpRanges = empty(filter(postgresAllowedIpRanges, range => startsWith(range, '0.0.0.0')))
  ? postgresAllowedIpRanges
  : fail('postgresAllowedIpRanges must not contain 0.0.0.0: that rule admits every address in Azure. List your own addresses, or use vnetEnabled.')

// The settings of spec section 2 that are not secrets. The secret ones are not app settings: the
// app reads them from the vault (modules/functionapp.bicep); KEY_VAULT_URI and APPLICATIONINSIGHTS_CONNECTION_STRING come from
// the resources. POSTGRES_AUTH=entra: the app signs in to PostgreSQL with its identity's tokens.
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
  SLACK_DIGEST_THRESHOLD: string(slackDigestThreshold)
  SLACK_DIGEST_MAX: string(slackDigestMax)
  SLACK_LEVEL_MENTIONS: string(slackLevelMentions)
  SLACK_RESPONSE_URL_HOSTS: slackResponseUrlHosts
  SLACK_CHANNEL: slackChannel
  SLACK_ROUTE_CHANNELS: string(slackRouteChannels)
  SLACK_API_BASE_URL: 'https://slack.com/api'
  POSTGRES_AUTH: 'entra'
}

// The services the app reaches through private endpoints (vnetEnabled): the host's blob, queue and
// table services, the vault, the database server.
var privateEndpoints = [
  {
    groupId: 'vault'
    serviceId: resourceId('Microsoft.KeyVault/vaults', keyVaultName)
  }
  {
    groupId: 'blob'
    serviceId: resourceId('Microsoft.Storage/storageAccounts', storageName)
  }
  {
    groupId: 'queue'
    serviceId: resourceId('Microsoft.Storage/storageAccounts', storageName)
  }
  {
    groupId: 'table'
    serviceId: resourceId('Microsoft.Storage/storageAccounts', storageName)
  }
  {
    groupId: 'postgresqlServer'
    serviceId: resourceId('Microsoft.DBforPostgreSQL/flexibleServers', postgresName)
  }
]

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

module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  params: {
    name: 'vnet-${env}-${token}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageName
    location: location
    tags: tags
    deploymentContainerName: 'app-package'
    identityName: identityName
    vnetEnabled: vnetEnabled
  }
  dependsOn: [
    identity
  ]
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: keyVaultName
    location: location
    tags: tags
    identityName: identityName
    deployerPrincipalId: deployerPrincipalId
    vnetEnabled: vnetEnabled
    allowedIpRanges: keyVaultAllowedIpRanges
  }
  dependsOn: [
    identity
  ]
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: postgresName
    location: location
    tags: tags
    skuName: postgresSkuName
    databaseName: postgresDatabaseName
    appIdentityName: identity.outputs.name
    // The Entra administrator resource is named by the identity's object id, which exists only
    // once the identity does: a runtime value by nature, so What-If cannot predict that one name.
    #disable-next-line what-if-short-circuiting
    appIdentityPrincipalId: identity.outputs.principalId
    vnetEnabled: vnetEnabled
    allowedIpRanges: checkedPostgresAllowedIpRanges
  }
}

module endpoints 'modules/privateendpoint.bicep' = [
  for endpoint in (vnetEnabled ? privateEndpoints : []): {
    name: 'pe-${endpoint.groupId}'
    params: {
      name: 'pe-${endpoint.groupId}-${env}-${token}'
      location: location
      tags: tags
      subnetId: network!.outputs.privateEndpointSubnetId
      serviceId: endpoint.serviceId
      groupId: endpoint.groupId
      dnsZoneId: network!.outputs.dnsZoneIds[endpoint.groupId]
    }
    dependsOn: [
      keyVault
      storage
      postgres
    ]
  }
]

// Passwordless: host, database and the identity's role name. Written by the template (it holds no
// secret) so the app's Key Vault reads find it from the first start.
module postgresConnectionSecret 'modules/vaultsecret.bicep' = {
  name: 'postgres-connection-secret'
  params: {
    vaultName: keyVaultName
    name: 'postgres-connection-string'
    connectionString: 'Host=${postgres.outputs.fullyQualifiedDomainName};Database=${postgresDatabaseName};Username=${identityName};SSL Mode=Require;Maximum Pool Size=10'
  }
  dependsOn: [
    keyVault
  ]
}

// Takes the storage and Key Vault modules' outputs, so the app and its settings are created only
// after its identity holds the storage roles and Key Vault Secrets User, and after the private
// endpoints and the connection string secret exist: the host and the Key Vault references work
// from the first start.
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
    keyVaultUri: keyVault.outputs.uri
    maximumInstanceCount: maximumInstanceCount
    settings: workerSettings
    appSubnetId: vnetEnabled ? network!.outputs.appSubnetId : ''
    authClientId: checkedAuthClientId
  }
  dependsOn: [
    monitoring
    // The host reaches storage, the vault and the database through these from its first start.
    endpoints
    postgresConnectionSecret
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
