extension OpenAPIDocument {
    /// Migrations of a deployment's component to another device (docs/migration.md).
    static let migrationPaths = #"""
  /v1/deployments/{name}/migrations:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
    post:
      summary: "Move a component to another device with its volumes (a job: follow its steps on the deployment's progress); dryRun: the plan, nothing changed; finish: remove the stopped source the last migration kept"
      requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/MigrationRequest"}}}}
      responses:
        "200": {description: "dryRun: the plan", content: {application/json: {schema: {$ref: "#/components/schemas/MigrationPlan"}}}}
        "202": {description: Accepted, content: {application/json: {schema: {$ref: "#/components/schemas/MigrationAccepted"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
"""#

    /// The schemas of migrations.
    static let migrationSchemas = #"""
    MigrationRequest:
      type: object
      properties:
        to: {type: string, description: "A device name, or auto (the scheduler's choice, the current device excluded); required unless finish"}
        component: {type: string, description: "The component to move; required when the deployment has several"}
        removeSource: {type: boolean, description: Remove the stopped source stack and its volumes once moved}
        warm: {type: boolean, description: "Copy while the app runs first; with the app stopped only what changed is copied"}
        dryRun: {type: boolean, description: "Answer 200 with the plan; nothing changes"}
        finish: {type: boolean, description: Remove the stopped source the last migration kept}
    MigrationAccepted:
      type: object
      properties:
        deployment: {type: string}
        job: {type: string, description: "The job's id (GET /v1/jobs/{id})"}
        component: {type: string}
        source: {type: string}
        destination: {type: string}
        reason: {type: string, description: "Why the destination: chosen by you, or the scheduler's reason"}
        progress: {type: string, description: "The deployment's progress path, after the steps before this job"}
    MigrationPlan:
      type: object
      properties:
        deployment: {type: string}
        component: {type: string}
        source: {type: string}
        destination: {type: string}
        reason: {type: string}
        volumes:
          type: array
          items: {type: object, properties: {name: {type: string}, bytes: {type: integer, description: Bytes on disk}, entries: {type: integer}}}
        destinationFreeBytes: {type: integer}
        neededBytes: {type: integer, description: 1.2 × the volumes' size on disk}
        fits: {type: boolean, description: "false: the migration would be refused at preflight (insufficient_storage)"}
        images: {type: array, items: {type: string}}
        warm: {type: boolean}
        downtimeSeconds: {type: integer, description: "Expected downtime: the stopped copy at an assumed 40 MB/s, plus 10 s to stop and start"}
        steps: {type: array, items: {type: string}}
"""#
}
