import Yams

/// The OpenAPI 3.1 description of the API, served at `/v1/openapi.yaml`. Kept in the binary so an
/// installed controller needs no resource files; a test checks it lists exactly the router's routes.
enum OpenAPIDocument {
    /// The document as served: ``yaml`` with a `default` error response on every operation.
    static func text() throws -> String { try served.get() }

    private static let served = Result { try withDefaultErrors(yaml) }

    /// Every operation may also answer with an error the API has for any route (400 for a bad name or number,
    /// 401, 403 by role, 405, 413, 429 from the throttle, 431, 5xx from a device): its `default` response says
    /// so, with the error body, without repeating it in every operation of the text.
    static func withDefaultErrors(_ text: String) throws -> String {
        guard var document = try Yams.compose(yaml: text), case .mapping(var root) = document,
              case .mapping(var paths)? = root["paths"] else { return text }
        for (path, item) in paths {
            guard case .mapping(var operations) = item else { continue }
            for (method, operation) in operations where ["get", "put", "post", "delete", "patch"].contains(method.string ?? "") {
                guard case .mapping(var fields) = operation, case .mapping(var responses)? = fields["responses"] else { continue }
                if responses["default"] == nil {
                    responses["default"] = .mapping(["$ref": "#/components/responses/Error"])
                }
                fields["responses"] = .mapping(responses)
                operations[method] = .mapping(fields)
            }
            paths[path] = .mapping(operations)
        }
        root["paths"] = .mapping(paths)
        document = nullableOptionals(.mapping(root))
        return try Yams.serialize(node: document)
    }

    /// A property an object does not require may also be `null`, which the API reads as absent (as every
    /// Codable type does): the document says so for every object schema, in one place.
    static func nullableOptionals(_ node: Node) -> Node {
        switch node {
        case .mapping(var mapping):
            for (key, value) in mapping { mapping[key] = nullableOptionals(value) }
            guard case .mapping(var properties)? = mapping["properties"] else { return .mapping(mapping) }
            var required = Set<String>()
            if case .sequence(let names)? = mapping["required"] { required = Set(names.compactMap(\.string)) }
            for (name, property) in properties {
                guard let key = name.string, !required.contains(key), case .mapping(var schema) = property,
                      let type = schema["type"]?.string else { continue }
                // The word "null" in `type`, quoted; the value null in `enum`, plain.
                schema["type"] = .sequence([.scalar(.init(type)), .scalar(.init("null", .implicit, .doubleQuoted))])
                if case .sequence(var values)? = schema["enum"] {
                    values.append(.scalar(.init("null", .implicit, .plain)))
                    schema["enum"] = .sequence(values)
                }
                properties[name] = .mapping(schema)
            }
            mapping["properties"] = .mapping(properties)
            return .mapping(mapping)
        case .sequence(let sequence):
            return .sequence(.init(sequence.map(nullableOptionals)))
        default:
            return node
        }
    }

    static let yaml = [core, deploymentPaths, schedulingPaths, jobPaths, tokens, accessPaths, bootstrapPaths, dashboardPaths, insightPaths, transferPaths, migrationPaths,
                       backupPaths, events, deploymentSchemas, schedulingSchemas, jobSchemas, bootstrapSchemas, insightSchemas, stackSchemas,
                       accessSchemas, dashboardSchemas, transferSchemas, migrationSchemas, backupSchemas]
        .joined(separator: "\n")

    /// The header and the device, recipe and stack paths.
    static let core = #"""
openapi: 3.1.0
info:
  title: homelab controller API
  version: 0.1.0
  description: |
    Devices, join tokens and live events of a homelab. Every route except /healthz needs
    `Authorization: Bearer <API token>` (the admin token is printed once at first start).
    Errors are `{"error": {"code": "...", "message": "..."}}`.
servers:
  - url: https://127.0.0.1:7443
security:
  - bearer: []
paths:
  /healthz:
    get:
      summary: Liveness probe
      security: []
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {status: {type: string}}}}}}
  /v1/controller:
    get:
      summary: Controller version, CA fingerprint and agent address
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/ControllerInfo"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/devices:
    get:
      summary: List every device (pending, online, offline) with facts and latest metrics
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Device"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/devices/{name}:
    parameters:
      - {name: name, in: path, required: true, description: Device name or id, schema: {type: string}}
    get:
      summary: One device
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/Device"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    delete:
      summary: Remove a device; its certificate is refused from then on
      responses:
        "204": {description: Removed}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
\#(devicePatch)
  /v1/devices/{name}/approve:
    parameters:
      - {name: name, in: path, required: true, description: Device name or id, schema: {type: string}}
    post:
      summary: Admit a pending device
      responses:
        "200": {description: Approved, content: {application/json: {schema: {$ref: "#/components/schemas/Device"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /v1/recipes:
    parameters:
      - {name: q, in: query, required: false, description: "Words that must all appear in the id, name, tagline or description", schema: {type: string}}
      - {name: category, in: query, required: false, schema: {type: string, enum: [media, files, photos, documents, passwords, home-automation, network, monitoring, development, dashboards, reverse-proxy, productivity, communication, backup, ai, other]}}
      - {name: arch, in: query, required: false, description: "amd64, arm64 or armv7 (uname -m names accepted)", schema: {type: string, enum: [amd64, arm64, armv7, x86_64, aarch64, armv7l]}}
      - {name: fits, in: query, required: false, description: "A device: only recipes whose architecture, RAM and storage fit it now", schema: {type: string}}
    get:
      summary: The app catalog, filtered
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/RecipeSummary"}}}}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/recipes/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      summary: "A recipe: inputs, secrets, components with requirements, images and published ports, web entry, notes"
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, description: "RecipeDetail (docs/recipes.md)"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/recipes/{id}/render:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    post:
      summary: "The compose file per component a deployment with these inputs would run (secrets generated for this preview only)"
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, properties: {name: {type: string}, inputs: {type: object, additionalProperties: {type: string}}, hosts: {type: object, additionalProperties: {type: string}}}, required: [inputs]}}}
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {components: {type: array, items: {type: object, properties: {name: {type: string}, stack: {type: string}, compose: {type: string}}}}, web: {type: string}, notes: {type: string}}}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "422": {description: "Inputs that fail the recipe's rules; one line per input", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /v1/catalog:
    get:
      summary: The recipe folders read, how many recipes loaded, and the problems of those that did not (file, line, column, field)
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {directories: {type: array, items: {type: string}}, recipes: {type: integer}, problems: {type: array, items: {type: object}}, loadedAt: {type: string}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/agent-binaries:
    get:
      summary: The agent binaries the controller hands out, per architecture, with size and SHA-256
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/AgentBinary"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/agent-binaries/{arch}:
    parameters:
      - {name: arch, in: path, required: true, description: "amd64, arm64, armv7 (or x86_64, aarch64, armv7l)", schema: {type: string, enum: [amd64, arm64, armv7, x86_64, aarch64, armv7l]}}
    get:
      summary: Download the agent binary for an architecture (header X-Checksum-SHA256)
      responses:
        "200": {description: The binary, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/discovered:
    get:
      summary: Everything heard announcing on the network (agents enrolled or not, controllers), and datagram counters
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: {$ref: "#/components/schemas/Discovered"}}
                  datagrams:
                    type: object
                    description: Datagrams by outcome since start (accepted, own, oversized, malformed, unsupported_version, invalid_field, rate_limited, too_many_ids, table_full)
                    additionalProperties: {type: integer}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/devices/{name}/sample:
    parameters:
      - {name: name, in: path, required: true, description: Device name or id, schema: {type: string}}
    post:
      summary: Ask the device's agent for a metrics sample now; it also becomes the device's latest
      responses:
        "200": {description: The sample, content: {application/json: {schema: {type: object, description: MetricsSample}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "502": {description: The agent did not answer, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /v1/devices/{name}/stacks:
    parameters:
      - {name: name, in: path, required: true, description: Device name or id, schema: {type: string}}
    get:
      summary: The stacks on the device, as its agent rebuilds them from container labels
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/StackStatus"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "502": {$ref: "#/components/responses/AgentError"}
  /v1/devices/{name}/stacks/{project}:
    parameters:
      - {name: name, in: path, required: true, description: Device name or id, schema: {type: string}}
      - {name: project, in: path, required: true, description: Compose project name (the spec's name), schema: {type: string, pattern: "^[a-z0-9][a-z0-9_-]{0,62}$"}}
    put:
      summary: Bring the device to the stack spec (create, recreate what changed, remove what is gone); progress streams as stack.progress events
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/StackApply"}}}
      responses:
        "200": {description: What happened to each service, content: {application/json: {schema: {$ref: "#/components/schemas/StackApplyResult"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "422": {description: The spec is invalid; the message names each field, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
        "502": {$ref: "#/components/responses/AgentError"}
    delete:
      summary: Remove the stack's containers and networks (and its named volumes with ?volumes=true)
      parameters:
        - {name: volumes, in: query, required: false, schema: {type: boolean, default: false}}
      responses:
        "204": {description: Removed}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "502": {$ref: "#/components/responses/AgentError"}
  /v1/devices/{name}/stacks/{project}/{action}:
    parameters:
      - {name: name, in: path, required: true, description: Device name or id, schema: {type: string}}
      - {name: project, in: path, required: true, schema: {type: string, pattern: "^[a-z0-9][a-z0-9_-]{0,62}$"}}
      - {name: action, in: path, required: true, schema: {type: string, enum: [start, stop, restart]}}
      - {name: service, in: query, required: false, description: Comma-separated services; all when absent, schema: {type: string, pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}(,[A-Za-z0-9][A-Za-z0-9_.-]{0,62})*$"}}
    post:
      summary: Start, stop or restart the stack or some of its services
      responses:
        "204": {description: Done}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "502": {$ref: "#/components/responses/AgentError"}
  /v1/devices/{name}/stacks/{project}/stats:
    parameters:
      - {name: name, in: path, required: true, description: Device name or id, schema: {type: string}}
      - {name: project, in: path, required: true, schema: {type: string, pattern: "^[a-z0-9][a-z0-9_-]{0,62}$"}}
      - {name: service, in: query, required: false, description: Comma-separated services; all when absent, schema: {type: string, pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}(,[A-Za-z0-9][A-Za-z0-9_.-]{0,62})*$"}}
    get:
      summary: CPU, memory (page cache excluded), network and block I/O per running container, and their total
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/StackStats"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "502": {$ref: "#/components/responses/AgentError"}
  /v1/devices/{name}/stacks/{project}/logs:
    parameters:
      - {name: name, in: path, required: true, description: Device name or id, schema: {type: string}}
      - {name: project, in: path, required: true, schema: {type: string, pattern: "^[a-z0-9][a-z0-9_-]{0,62}$"}}
      - {name: service, in: query, required: true, schema: {type: string, pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"}}
      - {name: tail, in: query, required: false, description: Only the last lines, schema: {type: integer, minimum: 0, maximum: 100000}}
      - {name: follow, in: query, required: false, description: Keep streaming until the container stops, schema: {type: boolean}}
    get:
      summary: A service's log lines, one JSON object per line ({stream, time, text}), demultiplexed stdout/stderr
      responses:
        "200": {description: Log lines, content: {application/x-ndjson: {schema: {$ref: "#/components/schemas/LogLine"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
"""#

    /// Join tokens.
    static let tokens = #"""
  /v1/tokens:
    get:
      summary: List join tokens (secrets are never shown again)
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Token"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
    post:
      summary: Create a join token
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [reusable, labels]
              properties:
                reusable: {type: boolean}
                ttlSeconds: {type: integer, minimum: 1, maximum: 31536000}
                labels: {type: object, propertyNames: {maxLength: 256, pattern: "^[^\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]*$"}, additionalProperties: {type: string, maxLength: 256, pattern: "^[^\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]*$"}}
                description: {type: [string, "null"], maxLength: 256, pattern: "^[^\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]*$"}
      responses:
        "201":
          description: Created; `token` is shown this once
          content: {application/json: {schema: {type: object, properties: {token: {type: string}, resource: {$ref: "#/components/schemas/Token"}}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/tokens/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    delete:
      summary: Revoke a join token
      responses:
        "204": {description: Revoked}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
"""#

    /// Events, this document, metrics; the components and the shared schemas.
    static let events = #"""
  /v1/events:
    get:
      summary: WebSocket stream of registry events, one JSON text message each
      description: "Upgrade with `Connection: Upgrade` and `Upgrade: websocket`. Messages are RegistryEvent objects."
      responses:
        "101": {description: Switching to the WebSocket protocol}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/openapi.yaml:
    get:
      summary: This document
      responses:
        "200": {description: OK, content: {application/yaml: {schema: {type: string}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /metrics:
    get:
      summary: Prometheus metrics (text exposition format)
      responses:
        "200": {description: OK, content: {text/plain: {schema: {type: string}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  responses:
    Unauthorized: {description: Missing or invalid token, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    NotFound: {description: No such resource, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    Conflict: {description: Conflicts with the current state, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    BadRequest: {description: Malformed request, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    Error: {description: "An error: its code says which (docs/api.md lists them)", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    AgentError: {description: The device's agent or its container engine failed the request, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  schemas:
    Error:
      type: object
      properties:
        error: {$ref: "#/components/schemas/HomelabError"}
    HomelabError:
      type: object
      description: "A stable code (docs/errors.md), a message for people, and what it concerns"
      required: [code, message]
      properties:
        code: {type: string}
        message: {type: string}
        context: {type: object, additionalProperties: {type: string}, description: "device, deployment, component, field, job, cause"}
    ControllerInfo:
      type: object
      properties:
        version: {type: string}
        caFingerprint: {type: string, description: Hex SHA-256 of the CA certificate DER}
        agentAddress: {type: string}
    Token:
      type: object
      properties:
        id: {type: string}
        reusable: {type: boolean}
        labels: {type: object, additionalProperties: {type: string}}
        description: {type: string}
        createdAt: {type: string, format: date-time}
        expiresAt: {type: string, format: date-time}
        uses: {type: integer}
        revoked: {type: boolean}
    Device:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        status: {type: string, enum: [pending, online, offline]}
        keyFingerprint: {type: string}
        labels: {type: object, additionalProperties: {type: string}}
        address: {type: string}
        createdAt: {type: string, format: date-time}
        lastSeenAt: {type: string, format: date-time}
        facts: {type: object, description: "DeviceFacts (hostname, architecture, kernel, os, cpu, memoryBytes, swapBytes, boardModel, bootTime, agentVersion, profile: the declared profile of a simulated device)"}
        metrics: {type: object, description: "MetricsSample (time, cpu, load, memory, filesystems, network, uptimeSeconds, temperatures, docker); absent sources are omitted"}
        health: {$ref: "#/components/schemas/DeviceHealth", description: Absent while pending}
    AgentBinary:
      type: object
      properties:
        architecture: {type: string, enum: [amd64, arm64, armv7]}
        file: {type: string}
        sizeBytes: {type: integer}
        sha256: {type: string}
    Discovered:
      type: object
      properties:
        kind: {type: string, enum: [agent, controller]}
        id: {type: string, description: Device id, or the controller's CA fingerprint prefix}
        hostname: {type: string}
        version: {type: string}
        architecture: {type: string}
        state: {type: string, enum: [unenrolled, pending, enrolled]}
        linked: {type: boolean, description: Whether the agent announced a live session with a controller}
        keyFingerprint: {type: string}
        agentAddress: {type: string, description: "A controller's agent port, host:port"}
        caFingerprint: {type: string}
        source: {type: string, description: Address the last announcement came from}
        firstSeenAt: {type: string, format: date-time}
        lastSeenAt: {type: string, format: date-time}
        announcements: {type: integer}
        device: {type: string, description: The device's name in this controller's registry, when it has one}
    RegistryEvent:
      type: object
      properties:
        type: {type: string, enum: [device.pending, device.enrolled, device.online, device.offline, device.updated, device.removed, device.rebooted, health.changed, stack.progress, container.event, scan.progress, bootstrap.progress, deployment.progress]}
        time: {type: string, format: date-time}
        device: {$ref: "#/components/schemas/Device", description: "Absent on scan.progress, bootstrap.progress and deployment.progress"}
        scan: {type: object, description: "With scan.progress: scan, phase (started, found, progress, finished), hostsProbed, hostsTotal, found, address, state"}
        bootstrap: {type: object, description: "With bootstrap.progress: id, host, step {step, status, message, time}, state"}
        stack: {type: object, description: "With stack.progress: project, phase (pull, network, volume, create, start, wait, remove, done), service, image, current, total, message"}
        container: {type: object, description: "With container.event: project, service, containerID, action (die, oom, health_status: healthy, ...)"}
        deployment: {type: object, description: "With deployment.progress", properties: {deployment: {type: string}, id: {type: string}, step: {$ref: "#/components/schemas/DeploymentStep"}}}
        health: {type: object, description: "With health.changed", properties: {subject: {type: string, enum: [device, deployment]}, name: {type: string}, level: {$ref: "#/components/schemas/HealthLevel"}, previous: {$ref: "#/components/schemas/HealthLevel"}, reason: {type: string}}}
        backup: {type: object, description: "With backup.progress: run, progress {phase, percent, bytesDone, bytesTotal, filesDone, filesTotal, secondsRemaining}"}
"""#

    /// The stack schemas.
    static let stackSchemas = #"""
    StackApply:
      type: object
      required: [spec]
      properties:
        spec:
          type: object
          description: "The stack: a compose document subset (name, services, networks, volumes, x-homelab-files); see docs/stacks.md"
          required: [name, services]
          properties:
            name: {type: string, pattern: "^[a-z0-9][a-z0-9_-]{0,62}$"}
            services:
              type: object
              minProperties: 1
              propertyNames: {pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"}
              additionalProperties: {type: object, required: [image], properties: {image: {type: string, pattern: "^[^\\s]+$"}}}
            x-homelab-files:
              type: object
              propertyNames: {pattern: "^([A-Za-z0-9_-][A-Za-z0-9._-]*|\\.[A-Za-z0-9_-][A-Za-z0-9._-]*|\\.\\.[A-Za-z0-9._-]+)(/([A-Za-z0-9_-][A-Za-z0-9._-]*|\\.[A-Za-z0-9_-][A-Za-z0-9._-]*|\\.\\.[A-Za-z0-9._-]+))*$", maxLength: 255}
              additionalProperties: {type: string}
        credentials: {type: array, items: {type: object, required: [server, username, password], properties: {server: {type: string}, username: {type: string}, password: {type: string}}}}
        healthTimeout: {type: integer, minimum: 1, maximum: 3600, description: Seconds a service_healthy dependency may take (default 120)}
    StackApplyResult:
      type: object
      properties:
        project: {type: string}
        services: {type: array, items: {type: object, properties: {name: {type: string}, change: {type: string, enum: [created, recreated, unchanged, started, removed]}, containerID: {type: string}}}}
    StackStatus:
      type: object
      properties:
        project: {type: string}
        deployment: {type: string}
        containers: {type: array, items: {type: object, properties: {service: {type: string}, id: {type: string}, name: {type: string}, image: {type: string}, state: {type: string}, health: {type: string}}}}
    ContainerStats:
      type: object
      properties:
        cpuPercent: {type: number, description: 100 is one full core}
        memoryBytes: {type: integer}
        memoryLimitBytes: {type: integer}
        networkRxBytes: {type: integer}
        networkTxBytes: {type: integer}
        blockReadBytes: {type: integer}
        blockWriteBytes: {type: integer}
    RecipeSummary:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        tagline: {type: string}
        category: {type: string}
        version: {type: string}
        architectures: {type: array, items: {type: string, enum: [amd64, arm64, armv7]}}
        icon: {type: string}
        components: {type: array, items: {type: string}}
        catalog: {type: string, description: The folder it was loaded from}
    StackStats:
      type: object
      properties:
        project: {type: string}
        services: {type: object, additionalProperties: {$ref: "#/components/schemas/ContainerStats"}}
        total: {$ref: "#/components/schemas/ContainerStats"}
    LogLine:
      type: object
      properties:
        stream: {type: string, enum: [stdout, stderr]}
        time: {type: string, description: RFC 3339 with nanoseconds}
        text: {type: string}
"""#
}
