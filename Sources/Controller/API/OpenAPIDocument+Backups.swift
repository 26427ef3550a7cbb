extension OpenAPIDocument {
    /// Backup targets and the recovery kit (docs/backups.md).
    static let backupPaths = #"""
  /v1/backups/targets:
    get:
      summary: The devices that hold backup repositories
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/BackupTarget"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/backups/targets/{device}:
    parameters:
      - {name: device, in: path, required: true, description: Device name or id, schema: {type: string}}
    put:
      summary: Make the device a backup target (its agent serves restic's REST protocol over mutual TLS), or change its folder or port
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/BackupTargetRequest"}}}}
      responses:
        "200": {description: Serving, content: {application/json: {schema: {$ref: "#/components/schemas/BackupTarget"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "422": {description: The device cannot use the folder or port, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
        "502": {$ref: "#/components/responses/AgentError"}
    delete:
      summary: Stop the target (refused while it holds repositories; they stay on its disk)
      responses:
        "204": {description: Stopped}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /v1/deployments/{name}/backups:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
    post:
      summary: "Back the app up now: a backup job (every component with volumes, then the retention rules)"
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/BackupNowRequest"}}}}
      responses:
        "202": {description: Accepted, content: {application/json: {schema: {$ref: "#/components/schemas/BackupAccepted"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {description: "The app is being changed, a backup of it runs, or there is no backup target (or several and none named)", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
    get:
      summary: "The app's backup runs in its repository, newest first (read on the target device)"
      parameters:
        - {name: target, in: query, required: false, description: "The target device (default: the only one)", schema: {type: string}}
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/BackupRun"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {description: "There is no backup target (or several and none named), or the target is offline", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
        "502": {$ref: "#/components/responses/AgentError"}
        "503": {description: The target device dropped its link, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /v1/deployments/{name}/backups/check:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
    post:
      summary: "Check the app's repository on its target: a check job (restic check, reading a share of the data back); the app is not touched"
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/BackupCheckRequest"}}}}
      responses:
        "202": {description: Accepted, content: {application/json: {schema: {$ref: "#/components/schemas/BackupAccepted"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {description: "No such deployment, or it has no backups on the target", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
        "409": {description: "A backup, restore or check of the app runs, or there is no backup target (or several and none named)", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /v1/deployments/{name}/restores:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
    post:
      summary: "Restore the app where it runs from a backup run: a restore job (fresh volumes verified, swapped in, health checked; any failure puts the old ones back)"
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/RestoreRequest"}}}}
      responses:
        "202": {description: Accepted, content: {application/json: {schema: {$ref: "#/components/schemas/BackupAccepted"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {description: "The app is not running, a job works on it, or there is no backup target (or several and none named)", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
        "502": {$ref: "#/components/responses/AgentError"}
        "503": {description: The target device dropped its link, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /v1/deployments/{name}/backup-policy:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
    get:
      summary: "The app's backup policy as it applies (defaults filled in), with its next scheduled time"
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/BackupPolicy"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    put:
      summary: "Set the app's backup policy: schedule (five-field cron), target, retention, enabled; a field left out is the default"
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/BackupPolicySpec"}}}}
      responses:
        "200": {description: Set, content: {application/json: {schema: {$ref: "#/components/schemas/BackupPolicy"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/deployments/{name}/backups/progress:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
      - {name: job, in: query, required: false, description: "The backup, restore or check job (default: the newest backup job)", schema: {type: string}}
      - {name: after, in: query, required: false, description: Only steps after this one (seq), schema: {type: integer, minimum: 0, maximum: 1000000000}}
    get:
      summary: "A backup, restore or check job's steps as JSON lines, as they are stored, until its final step"
      responses:
        "200": {description: Steps, content: {application/x-ndjson: {schema: {$ref: "#/components/schemas/JobStep"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/backups/recovery-kit:
    post:
      summary: "The recovery kit: the CA, a client identity that reads every repository, and each repository's location and password (secret: encrypt it before storing it)"
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/RecoveryKit"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
"""#

    /// The backup schemas.
    static let backupSchemas = #"""
    BackupTargetRequest:
      type: object
      required: [path]
      properties:
        path: {type: string, description: "The folder of repositories on the device, absolute"}
        port: {type: integer, description: "The REST port (default 7447)"}
        kind: {type: string, enum: [rest, local], description: "rest (default): served to the other devices; local: a folder only the device's own apps back up into"}
    BackupTarget:
      type: object
      properties:
        device: {type: string}
        kind: {type: string, enum: [rest, local]}
        path: {type: string}
        port: {type: integer}
        online: {type: boolean}
        status: {type: object, properties: {serving: {type: boolean}, path: {type: string}, port: {type: integer}, freeBytes: {type: integer}, totalBytes: {type: integer}}}
        repositories: {type: integer}
    BackupNowRequest:
      type: object
      properties:
        target: {type: string, description: "The target device (default: the only one)"}
    BackupCheckRequest:
      type: object
      properties:
        readDataPercent: {type: integer, minimum: 0, maximum: 100, description: "Percent of the data read back and verified (0: the structure only; default 5)"}
        target: {type: string, description: "The target device (default: where the app's latest backup went, else the only one)"}
    BackupRetention:
      type: object
      required: [keepLast, keepDaily, keepWeekly, keepMonthly]
      properties:
        keepLast: {type: integer, minimum: 0, maximum: 1000}
        keepDaily: {type: integer, minimum: 0, maximum: 1000}
        keepWeekly: {type: integer, minimum: 0, maximum: 1000}
        keepMonthly: {type: integer, minimum: 0, maximum: 1000}
    BackupPolicySpec:
      type: object
      properties:
        schedule: {type: string, description: "Five-field cron in the controller's time zone (default: 0 3 * * * plus the app's jitter)"}
        target: {type: string}
        retention: {$ref: "#/components/schemas/BackupRetention"}
        enabled: {type: boolean, description: "false: no scheduled backups"}
    BackupPolicy:
      type: object
      properties:
        deployment: {type: string}
        schedule: {type: string}
        jitterMinutes: {type: integer}
        target: {type: string}
        retention: {$ref: "#/components/schemas/BackupRetention"}
        enabled: {type: boolean}
        isDefault: {type: boolean}
        nextRunAt: {type: string, format: date-time}
    RestoreRequest:
      type: object
      properties:
        snapshot: {type: string, description: "The backup run, or a snapshot id of it (8 characters or more); default: the newest complete run"}
        target: {type: string, description: "The target device (default: the only one)"}
    BackupAccepted:
      type: object
      properties:
        job: {$ref: "#/components/schemas/Job"}
        progress: {type: string, description: "Path of the job's step stream"}
    JobStep:
      type: object
      properties:
        seq: {type: integer}
        time: {type: string, format: date-time}
        state: {type: string, description: "The job's state after the step (backing-up, retaining, done, failed)"}
        component: {type: string}
        message: {type: string}
        final: {type: boolean, description: "The step that ends the job"}
    BackupRun:
      type: object
      properties:
        run: {type: string, description: "The run's id (restore --snapshot takes it)"}
        time: {type: string, format: date-time}
        component: {type: string}
        device: {type: string, description: The device it was taken on}
        complete: {type: boolean, description: "Its manifest was written: only a complete run is restored or counted"}
        items: {type: array, items: {type: string}, description: "volume:KEY, dump:FILE"}
        snapshots: {type: array, items: {type: string}, description: "restic's full snapshot ids"}
        files: {type: integer, description: Files read (when a backup job of this controller made it)}
        bytes: {type: integer, description: Bytes read}
        bytesAdded: {type: integer, description: "Bytes added to the repository, after deduplication and compression"}
    RecoveryKit:
      type: object
      properties:
        createdAt: {type: string, format: date-time}
        caCertificate: {type: string, description: "PEM: restic's --cacert"}
        clientCertificate: {type: string, description: "Certificate and key in one PEM: restic's --tls-client-cert"}
        repositories:
          type: array
          items:
            type: object
            properties:
              name: {type: string}
              app: {type: string}
              target: {type: string}
              url: {type: string, description: "rest:https://ADDRESS:PORT/NAME/, absent for a local target"}
              path: {type: string, description: "The repository's folder on the target device"}
              password: {type: string}
"""#
}
