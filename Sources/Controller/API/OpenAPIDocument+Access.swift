extension OpenAPIDocument {
    /// API tokens with roles, and the audit log.
    static let accessPaths = #"""
  /v1/api-tokens:
    get:
      summary: List API tokens (their secrets are never shown again); admin only
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/APIToken"}}}}}}}
    post:
      summary: Create an API token for a person or a program, with a role; admin only
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name, role]
              properties:
                name: {type: string, minLength: 1, maxLength: 64, pattern: "^[^\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]+$"}
                role: {type: string, enum: [admin, operator, viewer]}
                ttlSeconds: {type: integer, minimum: 60, maximum: 157680000, description: "Lifetime; absent: no expiry"}
      responses:
        "201":
          description: Created; `token` is shown this once
          content: {application/json: {schema: {type: object, properties: {token: {type: string}, resource: {$ref: "#/components/schemas/APIToken"}}}}}
  /v1/api-tokens/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    delete:
      summary: Revoke an API token at once (409 for the last admin token); admin only
      responses:
        "204": {description: Revoked}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /v1/audit:
    get:
      summary: The audit log, newest first, one page at a time; admin only
      description: Every state-changing API call with the token's name and id, role, action, target, source address and outcome.
      parameters:
        - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 500, default: 100}}
        - {name: before, in: query, required: false, description: The previous page's `next`, schema: {type: integer, minimum: 1, maximum: 9223372036854775807}}
        - {name: token, in: query, required: false, description: Only calls made with this token id, schema: {type: string}}
        - {name: action, in: query, required: false, description: "Only actions containing this text (`DELETE /v1/devices`)", schema: {type: string}}
        - {name: target, in: query, required: false, description: Only target paths containing this text, schema: {type: string}}
        - {name: outcome, in: query, required: false, schema: {type: string, enum: [failed, succeeded]}}
        - {name: since, in: query, required: false, description: ISO 8601 time, schema: {type: string, format: date-time}}
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/AuditPage"}}}}
"""#

    /// The schemas of API tokens and audit entries.
    static let accessSchemas = #"""
    APIToken:
      type: object
      required: [id, name, role, createdAt]
      properties:
        id: {type: string}
        name: {type: string}
        role: {type: string, enum: [admin, operator, viewer]}
        createdAt: {type: string, format: date-time}
        expiresAt: {type: string, format: date-time}
        revokedAt: {type: string, format: date-time}
    AuditPage:
      type: object
      required: [items]
      properties:
        next: {type: integer, description: Pass as `before` for the next page}
        items:
          type: array
          items:
            type: object
            required: [id, time, tokenID, tokenName, role, action, target, status]
            properties:
              id: {type: integer}
              time: {type: string, format: date-time}
              tokenID: {type: string}
              tokenName: {type: string}
              role: {type: string, enum: [admin, operator, viewer]}
              action: {type: string}
              target: {type: string}
              source: {type: string}
              status: {type: integer}
              errorCode: {type: string}
"""#
}
