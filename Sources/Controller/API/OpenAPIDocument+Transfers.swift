extension OpenAPIDocument {
    /// Volume transfers between devices (docs/migration.md).
    static let transferPaths = #"""
  /v1/transfers:
    post:
      summary: Copy volumes from one device to another, agent to agent over the peer port (relayed by the controller when there is no direct path), checked by manifest; follow it with GET /v1/transfers/{id}
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/TransferRequest"}}}}
      responses:
        "202": {description: Started, content: {application/json: {schema: {$ref: "#/components/schemas/Transfer"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    get:
      summary: The recent transfers, newest first
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Transfer"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/transfers/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      summary: One transfer, with its progress and, when done, the destination's manifests or why it failed
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/Transfer"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
"""#

    /// The schemas of transfers.
    static let transferSchemas = #"""
    TransferRequest:
      type: object
      required: [source, destination, volumes]
      properties:
        source: {type: string, description: Device name or id the volumes are on}
        destination: {type: string, description: Device name or id that receives the copies}
        volumes: {type: array, items: {type: string}, description: "Engine volume names (<project>_<volume>), kept at the destination"}
        incremental: {type: boolean, description: "Send only what differs from the destination's copy made for the same migration (deletions included); no room check"}
        live: {type: boolean, description: "The volumes are in use (a warm copy): differences are reported, not a failure"}
        migration: {type: string, description: "Labels the copies (io.homelab.migration); default transfer-<id>"}
    VolumeSummary:
      type: object
      properties:
        volume: {type: string}
        entries: {type: integer, description: Manifest entries, the root included}
        bytes: {type: integer, description: File content bytes, each hard-linked file once}
        digest: {type: string, description: SHA-256 of the manifest's lines}
        differences: {type: array, items: {type: string}, description: "After a live copy: how the copy differs from the source's manifest"}
    Transfer:
      type: object
      properties:
        id: {type: string}
        migration: {type: string}
        source: {type: string}
        destination: {type: string}
        volumes: {type: array, items: {type: string}}
        state: {type: string, enum: [running, succeeded, failed]}
        phase: {type: string, enum: [connecting, manifest, streaming, verifying, done]}
        sentBytes: {type: integer, description: Tar stream bytes the source sent}
        writtenBytes: {type: integer, description: Tar stream bytes the destination unpacked}
        route: {type: string, enum: [direct, relay]}
        manifests: {type: array, items: {$ref: "#/components/schemas/VolumeSummary"}}
        failure:
          type: object
          properties:
            code: {type: string, enum: [insufficient_storage, no_space, manifest_mismatch, device_disconnected, device_offline, transfer_refused, ticket_unknown, ticket_used, ticket_expired, ticket_wrong_device, peer_unreachable, transfer_stalled, transfer_cancelled, unsupported_file, volume_exists, not_found, transfer_failed]}
            message: {type: string}
        startedAt: {type: string, format: date-time}
        finishedAt: {type: string, format: date-time}
"""#
}
