// The action group, the four alert rules of spec section 7, and two for revision 1.1: quarantined
// incidents (poison rows) and dead-lettered Slack messages.
//
// The worker sends its metrics with TelemetryClient.GetMetric, so they land as pre-aggregated rows
// (valueSum, valueCount, valueMax per minute) in the Application Insights customMetrics table. The
// rules are log search alerts (scheduledQueryRules) over that table: a metric alert on custom
// metrics could not see the *absence* of a metric, which the tick-lag rule needs, and log alerts
// let one rule combine two metrics.

@description('Prefix of the rule names.')
param namePrefix string

@description('Azure region of the rules.')
param location string

@description('Tags for the resources.')
param tags object

@description('Name of the Application Insights component whose customMetrics the rules query.')
param appInsightsName string

@description('Name of the action group.')
param actionGroupName string

@description('Address the alerts are e-mailed to.')
param alertEmailAddress string

@description('ESC_TICK_MS: the tick period. The tick duration and tick lag rules fire above twice this.')
@minValue(1000)
@maxValue(3600000)
param escTickMs int

@description('The level >= 5 rule fires when more than this many open incidents are at level 5 or above.')
@minValue(0)
param incidentsLevelGe5Threshold int

// Spec section 7: tick duration and tick lag alert above 2 x ESC_TICK_MS.
var tickThresholdMs = escTickMs * 2

// The window of the tick rules is never shorter than 2 x ESC_TICK_MS, so a window without a single
// completed tick means the lag is above the threshold; and never shorter than 5 minutes, so the
// minute-long metric aggregation and ingestion delay cannot make a healthy worker look silent.
// (Log alert windows take only these values.)
var tickWindowMinutes = tickThresholdMs <= 300000
  ? 5
  : tickThresholdMs <= 600000
      ? 10
      : tickThresholdMs <= 900000 ? 15 : tickThresholdMs <= 1800000 ? 30 : tickThresholdMs <= 3600000 ? 60 : 120
var tickWindow = tickWindowMinutes < 60 ? 'PT${tickWindowMinutes}M' : 'PT${tickWindowMinutes / 60}H'
var tickWindowMs = tickWindowMinutes * 60000

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'escalation'
    enabled: true
    emailReceivers: [
      {
        name: 'on-call'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

resource tickDuration 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-tick-duration'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Escalation tick slower than 2 x ESC_TICK_MS'
    description: 'The longest escalation tick (escalation_tick_ms) in the window took more than ${tickThresholdMs} ms, twice ESC_TICK_MS: ticks are falling behind their schedule.'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: tickWindow
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == 'escalation_tick_ms'
| summarize TickMs = max(valueMax)
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'TickMs'
          operator: 'GreaterThan'
          threshold: tickThresholdMs
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource slackFailures 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-slack-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Slack notifications failing'
    description: 'slack_send_failures was above 0 in the last 5 minutes: a Slack message was given up after its retries (dead-lettered), so a page may not have reached its channel.'
    severity: 1
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: '''
customMetrics
| where name == 'slack_send_failures'
| summarize Failures = sum(valueSum)
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'Failures'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Gauges the worker samples every tick period (at most every minute): each rule fires when the
// largest sample in the window is above its threshold.
var gaugeRules = [
  {
    suffix: 'incidents-level-ge5'
    metric: 'incidents_level_ge5'
    column: 'IncidentsAtLevel5OrAbove'
    threshold: incidentsLevelGe5Threshold
    severity: 2
    displayName: 'Too many incidents at escalation level 5 or above'
    description: 'incidents_level_ge5 was above ${incidentsLevelGe5Threshold}: open incidents have been escalated five times or more without an acknowledgement.'
  }
  {
    suffix: 'incidents-quarantined'
    metric: 'incidents_quarantined'
    column: 'QuarantinedIncidents'
    threshold: 0
    severity: 1
    displayName: 'Incidents quarantined: the tick cannot process them'
    description: 'incidents_quarantined was above 0: a row failed while being escalated and is skipped until it is updated, so that incident is not escalated. The error is logged with the incident key; fix or acknowledge the row (runbook).'
  }
  {
    suffix: 'dead-notifications'
    metric: 'dead_notifications'
    column: 'DeadNotifications'
    threshold: 0
    severity: 1
    displayName: 'Slack messages dead-lettered'
    description: 'dead_notifications was above 0: Slack refused a message for good (4xx, redirect) or its retries ran out, so a page did not reach its channel. Health shows deadNotifications; check the webhook (runbook).'
  }
]

resource gauges 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in gaugeRules: {
    name: '${namePrefix}-${rule.suffix}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        appInsights.id
      ]
      evaluationFrequency: 'PT5M'
      windowSize: tickWindow
      criteria: {
        allOf: [
          {
            query: format(
              '''
customMetrics
| where name == '{0}'
| summarize {1} = max(valueMax)
''',
              rule.metric,
              rule.column
            )
            timeAggregation: 'Maximum'
            metricMeasureColumn: rule.column
            operator: 'GreaterThan'
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

// Fires on a reported tick_lag_ms above 2 x ESC_TICK_MS, and also when no tick runs at all: then
// nothing reports tick_lag_ms either, so the query counts completed ticks (escalation_tick_ms) in
// the window and, when there are none, reports a lag of more than the whole window, which is at
// least 2 x ESC_TICK_MS. The summarize has no "by", so it returns one row even when the window
// holds no metrics at all.
resource tickLag 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-tick-lag'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Escalation ticks late or not running'
    description: 'tick_lag_ms was above ${tickThresholdMs} ms (2 x ESC_TICK_MS), or no tick completed (no escalation_tick_ms) in the last ${tickWindowMinutes} minutes. Check that the app runs, ESCALATION_WORKER_ENABLED, and the database.'
    severity: 1
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: tickWindow
    criteria: {
      allOf: [
        {
          query: format(
            '''
let windowMs = {0};
customMetrics
| where name in ('tick_lag_ms', 'escalation_tick_ms')
| summarize CompletedTicks = countif(name == 'escalation_tick_ms'), ReportedLagMs = maxif(valueMax, name == 'tick_lag_ms')
| extend TickLagMs = iff(CompletedTicks == 0, todouble(windowMs + 1), coalesce(ReportedLagMs, 0.0))
''',
            tickWindowMs
          )
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'TickLagMs'
          operator: 'GreaterThan'
          threshold: tickThresholdMs
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

output actionGroupId string = actionGroup.id
output ruleNames array = concat(
  [
    tickDuration.name
    slackFailures.name
    tickLag.name
  ],
  map(gaugeRules, rule => '${namePrefix}-${rule.suffix}')
)
