extension OpenAPIDocument {
    /// `/v1/recommendations` and `/v1/snapshot` (docs/scheduler.md, docs/snapshot.md).
    static let schedulingPaths = #"""
  /v1/recommendations:
    post:
      summary: "Where a recipe should run: every device ranked per component in the order the placement uses, and each instance's choice with what decided it"
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/RecommendationRequest"}}}
      responses:
        "200": {description: "The plan (docs/scheduler.md)", content: {application/json: {schema: {$ref: "#/components/schemas/Plan"}}}}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "404": {$ref: "#/components/responses/NotFound"}
        "422": {description: "recipeYAML is not a valid recipe; one line per problem (file:line:column)", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /v1/snapshot:
    get:
      summary: "Every enrolled device as the scheduler sees it now, CPU use averaged over the metrics window: the snapshot format of docs/snapshot.md, for offline what-if plans"
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: object, properties: {version: {type: integer, enum: [2]}, takenAt: {type: string}, metricsWindowSeconds: {type: number}, devices: {type: array, items: {type: object}}}}}}}
        "401": {$ref: "#/components/responses/Unauthorized"}
"""#

    /// The recommendation request and the plan.
    static let schedulingSchemas = #"""
    RecommendationRequest:
      type: object
      properties:
        recipe: {type: string, description: A catalog recipe id}
        recipeYAML: {type: string, description: Or a recipe's text}
        recipeFile: {type: string, description: The file name problems are reported under}
        instances: {type: integer, minimum: 1, maximum: 1000}
        group: {type: string}
        notOn: {type: array, items: {type: string}}
        allowSameDevice: {type: boolean}
    Assessment:
      type: object
      properties:
        device: {type: string}
        tier: {type: string, enum: [recommended, ok, not-recommended]}
        score: {type: number, description: "0-100, the weighted mean of the factors; 0 when rejected"}
        factors: {type: array, items: {type: object, properties: {name: {type: string}, score: {type: number}, weight: {type: number}, note: {type: string}}}}
        rejections: {type: array, items: {type: string}, description: "Hard filters that rule the device out"}
        concerns: {type: array, items: {type: object, properties: {code: {type: string, enum: [low-storage, near-ram-limit, not-always-on, low-score]}, words: {type: string}}}, description: "What keeps it below Recommended"}
        strengths: {type: array, items: {type: string}}
        warnings: {type: array, items: {type: string}}
        reason: {type: string, description: "The line a person reads, without the device's name"}
    Plan:
      type: object
      properties:
        recipe: {type: string}
        rankings: {type: array, items: {type: object, properties: {component: {type: string}, devices: {type: array, items: {$ref: "#/components/schemas/Assessment"}}}}}
        placements:
          type: array
          items:
            type: object
            properties:
              instance: {type: integer}
              devices: {type: object, additionalProperties: {type: string}, description: Device by component}
              score: {type: number}
              choices:
                type: array
                items:
                  type: object
                  properties:
                    component: {type: string}
                    device: {type: string}
                    tier: {type: string, enum: [recommended, ok, not-recommended]}
                    score: {type: number}
                    reason: {type: string}
                    decision: {type: object, properties: {by: {type: string, enum: [only-candidate, tier, always-on, score, free-ram, name, joint]}, factor: {type: string}, over: {type: string}, words: {type: string}}}
                    packing: {type: object, description: "Set when packing chose this device over the one judgement alone puts first", properties: {over: {type: string}, reason: {type: string}}}
        unplaced: {type: array, items: {type: string}}
"""#
}
