extension OpenAPIDocument {
    /// `/v1/jobs` (docs/jobs.md).
    static let jobPaths = #"""
  /v1/jobs:
    get:
      summary: "Every long operation (deploys, starts/stops/restarts, removals), newest first"
      parameters:
        - {name: active, in: query, required: false, description: "true: only those under way; false: only those that ended", schema: {type: boolean}}
        - {name: kind, in: query, required: false, description: "deploy, deployment-action, deployment-removal, …", schema: {type: string}}
        - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Job"}}}}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/jobs/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      summary: One job
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/Job"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
"""#

    static let jobSchemas = #"""
    Job:
      type: object
      properties:
        id: {type: string}
        kind: {type: string}
        subject: {type: string, description: What it works on (a deployment's id)}
        subjectName: {type: string}
        state: {type: string}
        outcome: {type: string, enum: [succeeded, rolled-back, failed], description: Absent while it runs}
        failure: {$ref: "#/components/schemas/HomelabError"}
        createdAt: {type: string, format: date-time}
        updatedAt: {type: string, format: date-time}
"""#
}
