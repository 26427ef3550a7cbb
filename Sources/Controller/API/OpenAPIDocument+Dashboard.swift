extension OpenAPIDocument {
    /// The routes the dashboard added: the activity feed, a device's labels, API tokens, metrics history.
    static let dashboardPaths = #"""
  /v1/activity:
    parameters:
      - {name: limit, in: query, required: false, description: Entries per page (1-200, default 50), schema: {type: integer, minimum: 1, maximum: 200}}
      - {name: before, in: query, required: false, description: "The page's entries are older than this entry (a previous page's `next`)", schema: {type: integer, minimum: 1}}
    get:
      summary: The activity feed, newest first (devices going on- and offline, deployments, labels changed, ...)
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/ActivityPage"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
"""#

    /// `PATCH /v1/devices/{name}`, kept apart because the path's other methods are in the core paths.
    static let devicePatch = #"""
    patch:
      summary: Change a device's labels (replaced as a whole)
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, required: [labels], properties: {labels: {type: object, additionalProperties: {type: string}}}}}}
      responses:
        "200": {description: The device, content: {application/json: {schema: {$ref: "#/components/schemas/Device"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
"""#

    /// The dashboard's schemas.
    static let dashboardSchemas = #"""
    ActivityPage:
      type: object
      properties:
        items:
          type: array
          items:
            type: object
            properties:
              id: {type: integer}
              time: {type: string, format: date-time}
              type: {type: string, description: "device.online, device.offline, device.updated, deployment.running, deployment.rolled-back, deployment.removed, deployment.stop, ..."}
              device: {type: string, description: The device's name, when the entry concerns one that still exists}
              deployment: {type: string, description: The deployment's name, when the entry concerns one}
              message: {type: string}
        next: {type: integer, description: "Pass as `before` for the next (older) page; absent on the last"}
"""#
}
