// A Key Vault secret whose value the template knows and that holds nothing secret (the PostgreSQL
// connection string of passwordless sign-in): the app reads every connection setting from the vault.

@description('Name of the vault.')
param vaultName string

@description('Name of the secret.')
param name string

@description('The value: host, database and user name only.')
param connectionString string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource entry 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: name
  properties: {
    value: connectionString
    contentType: 'Npgsql connection string without password (POSTGRES_AUTH=entra)'
  }
}

output name string = entry.name
