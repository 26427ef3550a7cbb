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
