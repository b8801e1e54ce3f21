// Azure Database for PostgreSQL Flexible Server (v16, Burstable) and the database the worker uses.
// Passwordless: password authentication is off and the app's user-assigned identity signs in with
// Microsoft Entra ID access tokens (POSTGRES_AUTH=entra). The identity is the server's Entra
// administrator, so the app can apply its own migrations; infra/README.md says how to add people.
// Network: with vnetEnabled, no public access at all (a private endpoint, modules/privateendpoint.bicep);
// without, public access limited to the listed address ranges, never to all of Azure.

@description('Name of the server (becomes <name>.postgres.database.azure.com).')
param name string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object

@description('Burstable compute size.')
param skuName string

@description('Name of the database the worker uses.')
param databaseName string

@description('Name of the app\'s user-assigned identity: its PostgreSQL role name.')
param appIdentityName string

@description('Object (principal) id of that identity.')
param appIdentityPrincipalId string

@description('True: no public network access (the server is reached through a private endpoint).')
param vnetEnabled bool

@description('Without vnetEnabled: the public addresses allowed to connect, each "a.b.c.d" or "a.b.c.d-e.f.g.h". Empty: none.')
param allowedIpRanges array = []

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: 'Burstable'
  }
  properties: {
    version: '16'
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: tenant().tenantId
    }
    storage: {
      storageSizeGB: 32
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    }
  }
}

// The app's identity as Entra administrator: a member of azure_pg_admin, enough to create the
// schema in the database the template made (its migrations run at start-up).
resource appAdministrator 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = {
  parent: server
  name: appIdentityPrincipalId
  properties: {
    principalType: 'ServicePrincipal'
    principalName: appIdentityName
    tenantId: tenant().tenantId
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
  dependsOn: [
    // Operations on one server conflict; run them one after the other.
    appAdministrator
  ]
}

// Without a virtual network: one rule per listed range, none for 0.0.0.0 (all of Azure).
resource allowedRanges 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = [
  for (range, i) in (vnetEnabled ? [] : allowedIpRanges): {
    parent: server
    name: 'allowed-${i}'
    properties: {
      startIpAddress: split(range, '-')[0]
      endIpAddress: last(split(range, '-'))
    }
    dependsOn: [
      database
    ]
  }
]

// On by default; set explicitly so a portal change shows up as drift on the next deployment.
resource requireTls 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'require_secure_transport'
  properties: {
    value: 'on'
    source: 'user-override'
  }
  dependsOn: [
    // Server parameter changes conflict with other operations on the server; run them last.
    database
    allowedRanges
  ]
}

output name string = server.name
output id string = server.id
output fullyQualifiedDomainName string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
