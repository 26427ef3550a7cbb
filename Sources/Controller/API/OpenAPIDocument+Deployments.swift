extension OpenAPIDocument {
    /// `/v1/deployments…` and `/v1/drift` (docs/deployments.md).
    static let deploymentPaths = #"""
  /v1/deployments:
    get:
      summary: Every deployment across all devices, filtered
      parameters:
        - {name: device, in: query, required: false, description: Only those with a component on this device, schema: {type: string}}
        - {name: state, in: query, required: false, schema: {$ref: "#/components/schemas/DeploymentState"}}
        - {name: category, in: query, required: false, description: Recipe category, schema: {type: string, enum: [media, files, photos, documents, passwords, home-automation, network, monitoring, development, dashboards, reverse-proxy, productivity, communication, backup, ai, other]}}
        - {name: recipe, in: query, required: false, description: Recipe id, schema: {type: string}}
        - {name: group, in: query, required: false, description: "Only those on devices whose group label holds this", schema: {type: string}}
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Deployment"}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
    post:
      summary: Deploy a recipe (or redeploy an existing name in place); the work goes on in the background
      description: "Inputs, placement and rendering are checked before anything is stored (422 names each problem). Follow the steps at `progress`."
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/DeployRequest"}}}
      responses:
        "202":
          description: Accepted and stored as pending
          content: {application/json: {schema: {type: object, properties: {deployment: {$ref: "#/components/schemas/Deployment"}, progress: {type: string, description: "Path of the progress stream for this deploy"}}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "422": {description: Invalid inputs or recipe, or no device can run a component, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /v1/deployments/{name}:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
    get:
      summary: "The deployment, what its devices report (containers, health, usage), drift, notes and steps"
      responses:
        "200": {description: OK, content: {application/json: {schema: {$ref: "#/components/schemas/DeploymentDetail"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
    delete:
      summary: Remove the deployment from its devices, its proxy route and its record; returns when done
      parameters:
        - {name: data, in: query, required: true, description: "keep: leave the volumes; delete: remove them (the data is gone)", schema: {type: string, enum: [keep, delete]}}
      responses:
        "204": {description: Removed}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /v1/deployments/{name}/{action}:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
      - {name: action, in: path, required: true, schema: {type: string, enum: [start, stop, restart]}}
      - {name: component, in: query, required: false, description: Only this component, schema: {type: string, pattern: "^[a-z][a-z0-9-]{0,62}$"}}
    post:
      summary: Start, stop or restart a deployment (or one component)
      responses:
        "200": {description: Done, content: {application/json: {schema: {$ref: "#/components/schemas/Deployment"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /v1/deployments/{name}/progress:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
      - {name: after, in: query, required: false, description: Only steps after this one (seq), schema: {type: integer, minimum: 0, maximum: 1000000000}}
    get:
      summary: "The steps as JSON lines: those stored, then live ones until the final step (progress ticks have no seq)"
      responses:
        "200": {description: Steps, content: {application/x-ndjson: {schema: {$ref: "#/components/schemas/DeploymentStep"}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
  /v1/deployments/{name}/logs:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
      - {name: component, in: query, required: false, description: "Default: the web entry's component, or the only one", schema: {type: string, pattern: "^[a-z][a-z0-9-]{0,62}$"}}
      - {name: service, in: query, required: false, description: "Default: the component's only service", schema: {type: string, pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"}}
      - {name: tail, in: query, required: false, schema: {type: integer, minimum: 0, maximum: 100000}}
      - {name: follow, in: query, required: false, schema: {type: boolean}}
    get:
      summary: A service's log lines as JSON lines, through the agent's flow-controlled stream
      responses:
        "200": {description: Log lines, content: {application/x-ndjson: {schema: {$ref: "#/components/schemas/LogLine"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
  /v1/deployments/{name}/logs/ws:
    parameters:
      - {name: name, in: path, required: true, description: Deployment name or id, schema: {type: string}}
      - {name: component, in: query, required: false, schema: {type: string, pattern: "^[a-z][a-z0-9-]{0,62}$"}}
      - {name: service, in: query, required: false, schema: {type: string, pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"}}
      - {name: tail, in: query, required: false, schema: {type: integer, minimum: 0, maximum: 100000}}
      - {name: follow, in: query, required: false, schema: {type: boolean}}
    get:
      summary: "The same log lines over a WebSocket: one JSON text message per line (an Error object, then close, when refused)"
      responses:
        "101": {description: Switching to the WebSocket protocol}
        "401": {$ref: "#/components/responses/Unauthorized"}
  /v1/drift:
    get:
      summary: "Where what runs differs from what was deployed, and stacks no deployment accounts for"
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema:
                type: object
                properties:
                  deployments: {type: array, items: {type: object, properties: {deployment: {type: string}, problems: {type: array, items: {type: string}}}}}
                  unknownStacks: {type: array, items: {type: object, properties: {device: {type: string}, project: {type: string}, deployment: {type: string}}}}
                  unreachable: {type: array, items: {type: string}}
        "401": {$ref: "#/components/responses/Unauthorized"}
"""#

    /// The deployment schemas.
    static let deploymentSchemas = #"""
    DeploymentState:
      type: string
      enum: [pending, pulling, creating, starting, health-checking, running, stopped, rolling-back, rolled-back, failed, removing, migrating]
    DeployRequest:
      type: object
      anyOf: [{required: [recipe]}, {required: [recipeYAML]}]
      properties:
        recipe: {type: string, pattern: "^[a-z0-9][a-z0-9-]{0,62}$", description: A catalog recipe id}
        recipeYAML: {type: string, minLength: 1, description: Or a recipe's text}
        recipeFile: {type: string, description: The file name problems are reported under}
        name: {type: string, pattern: "^[a-z0-9][a-z0-9-]{0,39}$", description: "Default: the recipe id; an existing name is redeployed in place"}
        placement:
          description: "\"auto\" (the scheduler chooses), or devices by component name; the key \"*\" names the device of every component not named"
          oneOf:
            - {type: string, enum: [auto]}
            - {type: object, additionalProperties: {type: string}}
        inputs: {type: object, additionalProperties: {type: string}}
        expose: {type: boolean}
        healthTimeout: {type: integer, minimum: 1, maximum: 3600}
    Deployment:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        recipe: {type: string}
        recipeVersion: {type: string}
        category: {type: string}
        state: {$ref: "#/components/schemas/DeploymentState"}
        components:
          type: array
          items:
            type: object
            properties:
              name: {type: string}
              device: {type: string}
              address: {type: string}
              project: {type: string}
              port: {type: integer}
              reason: {type: string, description: Why this device}
              memoryBytes: {type: integer}
              storageBytes: {type: integer}
              published: {type: array, items: {type: string}}
        inputs: {type: object, additionalProperties: {type: string}, description: Password inputs left out}
        url: {type: string}
        exposed: {type: boolean}
        error: {$ref: "#/components/schemas/HomelabError"}
        createdAt: {type: string, format: date-time}
        updatedAt: {type: string, format: date-time}
    DeploymentStep:
      type: object
      properties:
        seq: {type: integer}
        time: {type: string, format: date-time}
        state: {$ref: "#/components/schemas/DeploymentState"}
        component: {type: string}
        message: {type: string}
        current: {type: integer}
        total: {type: integer}
        final: {type: boolean}
    DeploymentDetail:
      type: object
      properties:
        deployment: {$ref: "#/components/schemas/Deployment"}
        live: {type: array, items: {type: object, properties: {component: {type: string}, device: {type: string}, containers: {type: array, items: {type: object}}, stats: {type: object}, unreachable: {type: string}}}}
        drift: {type: array, items: {type: string}}
        notes: {type: string}
        steps: {type: array, items: {$ref: "#/components/schemas/DeploymentStep"}}
"""#
}
