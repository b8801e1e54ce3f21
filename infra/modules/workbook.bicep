// An Azure Monitor workbook with a chart for each of the seven custom metrics of spec section 7.
// The layout lives in workbook.json, so it can be edited in the portal and exported back as is.

@description('Display name of the workbook.')
param displayName string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags object

@description('Name of the Application Insights component the charts query.')
param appInsightsName string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one is stable per component.
  name: guid(appInsights.id, 'escalation-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: string(union(loadJsonContent('workbook.json'), { fallbackResourceIds: [appInsights.id] }))
  }
}

output id string = workbook.id
