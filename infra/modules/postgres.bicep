// Azure Database for PostgreSQL Flexible Server (v16, Burstable) and the database the worker uses.
// Network: public access limited by the "allow Azure services" rule, TLS required; see
// infra/README.md for why (and for the VNet alternative).

@description('Name of the server (becomes <name>.postgres.database.azure.com).')
param name string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object

@description('Administrator login name.')
param administratorLogin string

@description('Administrator password. Never stored in the template or its outputs.')
@secure()
param administratorLoginPassword string

@description('Burstable compute size.')
param skuName string

@description('Name of the database the worker uses.')
param databaseName string

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
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorLoginPassword
    authConfig: {
      activeDirectoryAuth: 'Disabled'
      passwordAuth: 'Enabled'
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
      publicNetworkAccess: 'Enabled'
    }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

// 0.0.0.0-0.0.0.0 is the documented "allow public access from any Azure service" rule: the Flex
// Consumption app has no fixed outbound addresses to list instead.
resource allowAzureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

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
    allowAzureServices
  ]
}

output name string = server.name
output fullyQualifiedDomainName string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
