extension OpenAPIDocument {
    /// Scans, bootstraps and known hosts (docs/bootstrap.md).
    static let bootstrapPaths = #"""
  /v1/scans:
    post:
      summary: Start a network scan (default targets the controller's own IPv4 subnets, a /24 at most each); progress as scan.progress events
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/ScanRequest"}}}}
      responses:
        "202": {description: Started, content: {application/json: {schema: {$ref: "#/components/schemas/Scan"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
    get:
      summary: The recent scans, newest first (without their candidates)
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Scan"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/scans/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      summary: One scan, with the hosts found so far
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/Scan"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    delete:
      summary: Cancel a running scan; what it found stays
      responses:
        "200": {description: Cancel requested, content: {application/json: {schema: {$ref: "#/components/schemas/Scan"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/candidates:
    get:
      summary: Every host a scan found, with the time last seen and whether an agent runs there
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Candidate"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/bootstraps:
    post:
      summary: Install or upgrade an agent on a host over SSH; progress as bootstrap.progress events
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/BootstrapRequest"}}}}
      responses:
        "202": {description: Started, content: {application/json: {schema: {$ref: "#/components/schemas/Bootstrap"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/bootstraps/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      summary: One bootstrap or uninstall, with its steps and, when it failed, why
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/Bootstrap"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/devices/{name}/uninstall:
    parameters:
      - {name: name, in: path, required: true, description: Device name or id, schema: {type: string}}
    post:
      summary: Remove the device's agent, unit and files over SSH (apps stay unless removeApps), then the device
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/UninstallRequest"}}}}
      responses:
        "202": {description: Started, content: {application/json: {schema: {$ref: "#/components/schemas/Bootstrap"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/known-hosts:
    get:
      summary: The SSH host keys the controller accepted
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/KnownHost"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/known-hosts/{host}:
    parameters:
      - {name: host, in: path, required: true, schema: {type: string}}
    delete:
      summary: Forget a host's keys (every port), e.g. after the device was reinstalled
      responses:
        "204": {description: Removed}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
"""#

    /// The scan and bootstrap schemas.
    static let bootstrapSchemas = #"""
    ScanRequest:
      type: object
      properties:
        targets: {type: array, items: {type: string}, description: "IPv4 CIDRs or addresses; empty: the controller's own subnets"}
        force: {type: boolean, description: "Allow public ranges and more than 4096 addresses"}
        ports: {type: array, items: {type: integer}}
        timeLimitSeconds: {type: number, description: "Default 60, at most 600"}
        hostTimeoutMilliseconds: {type: integer, description: "Per connection attempt, default 800"}
        concurrency: {type: integer, description: "Hosts at once, default 32, at most 256"}
        ratePerSecond: {type: integer, description: "Connection attempts per second, default 400"}
        reverseDNS: {type: boolean}
    Scan:
      type: object
      properties:
        id: {type: string}
        state: {type: string, enum: [running, completed, timed_out, canceled, failed]}
        targets: {type: array, items: {type: string}}
        ports: {type: array, items: {type: integer}}
        hostsTotal: {type: integer}
        hostsProbed: {type: integer}
        candidates: {type: array, items: {$ref: "#/components/schemas/Candidate"}}
        timeLimitSeconds: {type: number}
        startedAt: {type: string, format: date-time}
        finishedAt: {type: string, format: date-time}
        error: {type: string}
    Candidate:
      type: object
      properties:
        address: {type: string}
        mac: {type: string}
        vendor: {type: string}
        hostname: {type: string}
        services: {type: array, items: {type: object, properties: {port: {type: integer}, name: {type: string}, banner: {type: string}}}}
        os: {type: string}
        guess: {type: string, enum: [raspberry-pi, nas, x86, unknown]}
        hasAgent: {type: boolean}
        device: {type: string}
        firstSeenAt: {type: string, format: date-time}
        lastSeenAt: {type: string, format: date-time}
        scanID: {type: string}
    BootstrapRequest:
      type: object
      required: [host]
      properties:
        host: {type: string}
        port: {type: integer}
        user: {type: string}
        password: {type: string, description: "Used for this session only, never stored"}
        privateKey: {type: string, description: "OpenSSH or PEM text; used for this session only, never stored"}
        privateKeyPath: {type: string, description: "A key file on the controller's machine"}
        passphrase: {type: string}
        sudo: {type: boolean}
        name: {type: string}
        group: {type: string}
        acceptHostKey: {type: string, description: "SHA256 fingerprint of an unknown host key the user accepts"}
        installDocker: {type: boolean}
        controller: {type: string, description: "host:port agents dial; default the controller's address on the SSH connection"}
        saveKeyReference: {type: boolean, description: "Keep privateKeyPath (never the key) for later SSH operations on the device"}
        enrollTimeoutSeconds: {type: number}
    UninstallRequest:
      type: object
      properties:
        host: {type: string}
        port: {type: integer}
        user: {type: string}
        password: {type: string}
        privateKey: {type: string}
        privateKeyPath: {type: string}
        passphrase: {type: string}
        sudo: {type: boolean}
        acceptHostKey: {type: string}
        removeApps: {type: boolean}
    Bootstrap:
      type: object
      properties:
        id: {type: string}
        kind: {type: string, enum: [install, uninstall]}
        host: {type: string}
        port: {type: integer}
        user: {type: string}
        state: {type: string, enum: [running, succeeded, failed]}
        steps: {type: array, items: {type: object, properties: {step: {type: string}, status: {type: string, enum: [started, done, failed, skipped]}, message: {type: string}, time: {type: string, format: date-time}}}}
        device: {type: string}
        deviceID: {type: string}
        upgraded: {type: boolean}
        architecture: {type: string}
        os: {type: string}
        serviceManager: {type: string, enum: [systemd, init-script]}
        failure: {type: object, properties: {code: {type: string}, message: {type: string}, hostKeyFingerprint: {type: string}}}
        startedAt: {type: string, format: date-time}
        finishedAt: {type: string, format: date-time}
    KnownHost:
      type: object
      properties:
        host: {type: string}
        port: {type: integer}
        keyType: {type: string}
        fingerprint: {type: string}
        addedAt: {type: string, format: date-time}
"""#
}
