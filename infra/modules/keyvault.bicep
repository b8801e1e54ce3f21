// The vault the app's secrets live in. Access is Azure RBAC only (no access policies): the app
// identity may read secret values (Key Vault Secrets User), and, when a principal id is given, the
// person or pipeline that deploys may set them (Key Vault Secrets Officer). The template never
// holds a secret value: the secrets are set by hand, see infra/README.md (the PostgreSQL connection
// string holds no password and is written by the template). With vnetEnabled there is no public
// network access, except from the address ranges listed for operators who set the secrets.

@description('Name of the Key Vault (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags object

@description('Name of the user-assigned identity the app runs as (in this resource group).')
param identityName string

@description('True: public network access disabled (a private endpoint), except for allowedIpRanges.')
param vnetEnabled bool

@description('With vnetEnabled: public addresses (CIDR) that may reach the vault to set secrets. Empty: none.')
param allowedIpRanges array = []

@description('Object id of a user or pipeline allowed to set secret values (azd passes the signed-in user). Empty: nobody is granted here.')
param deployerPrincipalId string = ''

// Built-in role definition ids (the same in every tenant).
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: vnetEnabled && empty(allowedIpRanges) ? 'Disabled' : 'Enabled'
    networkAcls: {
      bypass: 'None'
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
      ipRules: [for range in (vnetEnabled ? allowedIpRanges : []): { value: range }]
    }
  }
}

// Read access to secret values, for Key Vault references and the app's own reads.
resource appSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource deployerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
    principalId: deployerPrincipalId
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
