extension OpenAPIDocument {
    /// Metrics history, health, insights, pins and alerts (docs/insights.md, docs/alerts.md).
    static let insightPaths = #"""
  /v1/devices/{name}/metrics:
    parameters:
      - {name: name, in: path, required: true, description: Device name or id, schema: {type: string}}
      - {name: range, in: query, required: false, description: "How far back (default 24h)", schema: {$ref: "#/components/schemas/MetricsRange"}}
      - {name: series, in: query, required: false, description: "Comma-separated: cpu, memory, disk, temperature, network (default all)", schema: {type: string}}
    get:
      summary: "A device's history at the finest resolution kept for the whole range: average and maximum per bucket"
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/MetricsHistory"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/deployments/{name}/metrics:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
      - {name: range, in: query, required: false, description: "How far back (default 24h)", schema: {$ref: "#/components/schemas/MetricsRange"}}
      - {name: series, in: query, required: false, description: "Comma-separated: cpu (100 is one core), memory, network (default all)", schema: {type: string}}
    get:
      summary: "A deployment's history (its containers together), as for a device"
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/MetricsHistory"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/deployments/{name}/pin:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
    get:
      summary: Whether the app is pinned to its devices
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/PinStatus"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    put:
      summary: "Pin the app to its devices: it is never suggested for a move nor moved automatically"
      responses:
        "200": {description: Pinned, content: {application/json: {schema: {$ref: "#/components/schemas/PinStatus"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    delete:
      summary: Unpin the app
      responses:
        "200": {description: Unpinned, content: {application/json: {schema: {$ref: "#/components/schemas/PinStatus"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/health:
    get:
      summary: Every device's and app's health colour, and the thresholds
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/HealthReport"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/insights:
    get:
      summary: "What the history shows: filling disks and RAM, daily patterns, heat, reboot and restart loops, overload with a suggested move"
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Insight"}}, generatedAt: {type: string, format: date-time}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/insights/{id}/start:
    parameters:
      - {name: id, in: path, required: true, description: "The insight's id (percent-encoded)", schema: {type: string}}
    post:
      summary: "Start the move an insight suggests: submits its migration job (follow it on the deployment's progress)"
      responses:
        "202": {description: Started, content: {application/json: {schema: {$ref: "#/components/schemas/MoveSuggestion"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /v1/alerts:
    parameters:
      - {name: state, in: query, required: false, schema: {type: string, enum: [firing, resolved]}}
    get:
      summary: The latest alerts, newest first, with their deliveries
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Alert"}}}}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/alerts/channels:
    get:
      summary: Every alert channel (no secrets) and how its deliveries go
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/AlertChannel"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/alerts/channels/{name}:
    parameters:
      - {name: name, in: path, required: true, schema: {type: string}}
    get:
      summary: One channel
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/AlertChannel"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    put:
      summary: Create or replace a channel; its secrets are sealed and never shown again
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/AlertChannelSpec"}}}}
      responses:
        "200": {description: Replaced, content: {application/json: {schema: {$ref: "#/components/schemas/AlertChannel"}}}}
        "201": {description: Created, content: {application/json: {schema: {$ref: "#/components/schemas/AlertChannel"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "422": {description: "invalid_channel: each problem on a line, naming the field", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    delete:
      summary: Remove a channel and its pending messages (409 while a rule names it)
      responses:
        "204": {description: Removed}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /v1/alerts/channels/{name}/test:
    parameters:
      - {name: name, in: path, required: true, schema: {type: string}}
    post:
      summary: Send a test message now; delivered only on the receiver's 2xx (HTTP) or 250 (SMTP)
      responses:
        "200": {description: Delivered, content: {application/json: {schema: {$ref: "#/components/schemas/AlertTestResult"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "502": {description: "delivery_failed: what the receiver answered", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /v1/alerts/rules:
    get:
      summary: Every alert rule
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/AlertRule"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/alerts/rules/{name}:
    parameters:
      - {name: name, in: path, required: true, schema: {type: string}}
    put:
      summary: Create or replace a rule
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/AlertRuleSpec"}}}}
      responses:
        "200": {description: Replaced, content: {application/json: {schema: {$ref: "#/components/schemas/AlertRule"}}}}
        "201": {description: Created, content: {application/json: {schema: {$ref: "#/components/schemas/AlertRule"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "422": {description: "invalid_rule: each problem on a line, naming the field", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    delete:
      summary: Remove a rule; its firing alerts resolve quietly
      responses:
        "204": {description: Removed}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
"""#

    /// The schemas of the paths above.
    static let insightSchemas = #"""
    MetricsRange: {type: string, enum: [1h, 24h, 7d, 30d, 1y]}
    MetricsHistory:
      type: object
      properties:
        device: {type: string}
        deployment: {type: string}
        range: {$ref: "#/components/schemas/MetricsRange"}
        resolution: {type: integer, description: Seconds per point}
        series:
          type: array
          items:
            type: object
            properties:
              name: {type: string, enum: [cpu, memory, disk, temperature, network]}
              unit: {type: string, enum: [percent, bytes, celsius, bytes_per_second]}
              mount: {type: string, description: "disk: the mount point"}
              capacity: {type: number, description: "memory and disk: the size, as last reported"}
              points: {type: array, items: {type: object, properties: {t: {type: string, format: date-time}, avg: {type: number}, max: {type: number}}}}
    HealthLevel: {type: string, enum: [green, yellow, red, unknown]}
    DeviceHealth:
      type: object
      properties:
        level: {$ref: "#/components/schemas/HealthLevel"}
        reason: {type: string}
        worst: {type: string, enum: [cpu, memory, disk, reachability]}
        cpuPercent: {type: number}
        memoryPercent: {type: number}
        diskPercent: {type: number}
    AppHealth:
      type: object
      properties:
        deployment: {type: string}
        level: {$ref: "#/components/schemas/HealthLevel"}
        reason: {type: string}
        containers: {type: integer}
        running: {type: integer}
        unhealthy: {type: integer}
        restartsLastHour: {type: integer}
        checkedAt: {type: string, format: date-time}
    HealthReport:
      type: object
      properties:
        thresholds: {type: object, properties: {warningPercent: {type: number}, criticalPercent: {type: number}, hysteresisPoints: {type: number}, restartLoop: {type: integer}}}
        devices: {type: array, items: {type: object, properties: {device: {type: string}, health: {$ref: "#/components/schemas/DeviceHealth"}}}}
        apps: {type: array, items: {$ref: "#/components/schemas/AppHealth"}}
    PinStatus:
      type: object
      properties:
        deployment: {type: string}
        pinned: {type: boolean}
    MoveSuggestion:
      type: object
      properties:
        deployment: {type: string}
        component: {type: string}
        from: {type: string}
        to: {type: string}
        reason: {type: string}
        gain: {type: number}
        command: {type: string}
        start: {type: string, description: "POST it to start the move"}
    Insight:
      type: object
      properties:
        id: {type: string}
        kind: {type: string, enum: [time-to-full, daily-pattern, temperature, reboot-loop, restart-loop, overload]}
        severity: {type: string, enum: [info, warning, critical]}
        device: {type: string}
        deployment: {type: string}
        sentence: {type: string}
        numbers: {type: object, additionalProperties: {type: number}, description: "The figures behind the sentence (docs/insights.md)"}
        suggestion: {$ref: "#/components/schemas/MoveSuggestion"}
    AlertChannelSpec:
      type: object
      required: [kind]
      properties:
        kind: {type: string, enum: [webhook, ntfy, gotify, smtp, discord, slack]}
        url: {type: string}
        secret: {type: string, description: "webhook: the Standard Webhooks signing key"}
        token: {type: string, description: "ntfy access token, Gotify application token"}
        username: {type: string}
        password: {type: string}
        smtp: {type: object, properties: {host: {type: string}, port: {type: integer}, security: {type: string, enum: [starttls, tls, none]}, from: {type: string}, to: {type: array, items: {type: string}}, caFile: {type: string}}}
        quietHours: {type: string, description: "HH:MM-HH:MM in the controller's time zone"}
    AlertChannel:
      type: object
      properties:
        name: {type: string}
        kind: {type: string}
        target: {type: string, description: "Where it sends, without secrets"}
        quietHours: {type: string}
        status: {type: object, properties: {state: {type: string, enum: [ok, failing, untested]}, lastAttemptAt: {type: string, format: date-time}, lastDeliveredAt: {type: string, format: date-time}, lastError: {type: string}, consecutiveFailures: {type: integer}, pending: {type: integer}}}
        updatedAt: {type: string, format: date-time}
    AlertTestResult:
      type: object
      properties:
        channel: {type: string}
        delivered: {type: boolean}
        detail: {type: string}
        milliseconds: {type: integer}
    AlertRuleSpec:
      type: object
      required: [kind]
      properties:
        kind: {type: string, enum: [device-offline, threshold, deploy-failed, backup-failed, backup-overdue, backup-target-full, backup-prune-failing, migration-failed, insight]}
        device: {type: string}
        deployment: {type: string}
        metric: {type: string, enum: [cpu, memory, disk, temperature]}
        above: {type: number}
        forSeconds: {type: integer}
        insights: {type: array, items: {type: string}}
        withinDays: {type: number}
        severity: {type: string, enum: [info, warning, critical]}
        channels: {type: array, items: {type: string}}
        cooldownSeconds: {type: integer}
        enabled: {type: boolean}
    AlertRule:
      type: object
      properties:
        name: {type: string}
        spec: {$ref: "#/components/schemas/AlertRuleSpec"}
        updatedAt: {type: string, format: date-time}
    Alert:
      type: object
      properties:
        id: {type: integer}
        rule: {type: string}
        kind: {type: string}
        subject: {type: string}
        severity: {type: string}
        state: {type: string, enum: [firing, resolved]}
        message: {type: string}
        firedAt: {type: string, format: date-time}
        resolvedAt: {type: string, format: date-time}
        notified: {type: boolean, description: False when the cooldown kept it quiet}
        deliveries: {type: array, items: {type: object, properties: {channel: {type: string}, message: {type: string, enum: [firing, resolved, test]}, state: {type: string, enum: [pending, delivered, failed, dropped]}, attempts: {type: integer}, nextAttemptAt: {type: string, format: date-time}, deliveredAt: {type: string, format: date-time}, lastError: {type: string}}}}
"""#
}
