// The Flex Consumption plan and the Function App (.NET 10 isolated worker, Linux) with every
// setting of spec section 2. Secrets are Key Vault references resolved with the app's
// user-assigned identity, so each setting is present and none holds a secret value. With a
// subnet the app joins the virtual network (all its outbound traffic goes through it). App
// Service Authentication (Microsoft Entra ID) answers 401 to every call without a valid token,
// except Slack's signed interactivity calls.

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the Function App.')
param name string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object

@description('Service name azd deploys to this app (the azd-service-name tag; matches azure.yaml).')
param azdServiceName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (identity-based AzureWebJobsStorage).')
param identityClientId string

@description('Host storage account name (identity-based AzureWebJobsStorage).')
param storageAccountName string

@description('Blob endpoint of the host storage account.')
param storageBlobEndpoint string

@description('Container the deployment package is stored in.')
param deploymentContainerName string

@description('Application Insights component the app sends telemetry to.')
param appInsightsName string

@description('Key Vault URI (KEY_VAULT_URI).')
param keyVaultUri string

@description('Maximum number of instances the plan may scale out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance, in MB.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('The spec section 2 settings that are not secrets (and ESC_TICK_SCHEDULE), as name-value pairs of strings.')
param settings object

@description('Subnet (delegated to Microsoft.App/environments) the app integrates with. Empty: no virtual network.')
param appSubnetId string = ''

@description('Client id of the Microsoft Entra app registration whose tokens App Service Authentication accepts (scripts/create-app-registration.sh).')
param authClientId string

@description('Paths App Service Authentication lets through without a token: Slack signs its own calls (spec section 9).')
param unauthenticatedPaths array = [
  '/slack/interactions'
]

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: empty(appSubnetId) ? null : appSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Flex Consumption takes the runtime from here; it rejects a FUNCTIONS_WORKER_RUNTIME setting.
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

var identitySettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // The app's own Azure SDK clients (its Key Vault reads) use DefaultAzureCredential, which takes
  // the user-assigned identity's client id from here; with no system-assigned identity there is no
  // default one to fall back to.
  AZURE_CLIENT_ID: identityClientId
}

// No secret is an app setting. The app reads each secret from the vault itself (KEY_VAULT_URI, with
// the identity above) under a fixed name, and reads it again every KEY_VAULT_CACHE_TTL_SEC, so a
// rotated secret is in use within minutes, with no restart. That is the one way secrets reach the
// app; infra/README.md lists the names and how to set the values.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(identitySettings, settings, {
    KEY_VAULT_URI: keyVaultUri
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  })
}

// App Service Authentication: every request needs a Microsoft Entra ID token issued for the app
// registration (401 otherwise), and the platform passes the caller to the app in
// X-MS-CLIENT-PRINCIPAL and sets WEBSITE_AUTH_ENABLED=True, which is what the ops endpoints' role
// check (OPS_ADMIN_ROLE, app role ops_admin) relies on. The function key is still required too.
resource authentication 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      excludedPaths: unauthenticatedPaths
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          // v2 tokens carry the client id as audience, v1 tokens the application id URI.
          allowedAudiences: [
            authClientId
            'api://${authClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
    httpSettings: {
      requireHttps: true
    }
  }
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
