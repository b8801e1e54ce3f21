// One private endpoint for one sub-resource of a service (a vault, a storage service, a PostgreSQL
// server) in the private endpoint subnet, registered in the service's private DNS zone.

@description('Name of the private endpoint.')
param name string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags object

@description('Subnet the endpoint takes its address from.')
param subnetId string

@description('Resource id of the service the endpoint leads to.')
param serviceId string

@description('The service\'s sub-resource (group id): vault, blob, queue, table, postgresqlServer.')
param groupId string

@description('Private DNS zone the endpoint\'s address is registered in.')
param dnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: serviceId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }
}

resource dnsGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: groupId
        properties: {
          privateDnsZoneId: dnsZoneId
        }
      }
    ]
  }
}

output id string = endpoint.id
