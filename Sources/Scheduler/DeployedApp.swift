/// An app on a device and what it holds back.
public struct DeployedApp: Codable, Sendable, Equatable {
    public var recipe: String
    /// The deployment it belongs to (absent in snapshots written before it was recorded).
    public var deployment: String?
    public var category: String?
    public var memoryBytes: Int64
    public var storageBytes: Int64
    /// Its share of the device's CPU, 0-100: measured, or what a placement in this plan reserved for it.
    public var cpuPercent: Double?
    public init(recipe: String, deployment: String? = nil, category: String? = nil, memoryBytes: Int64 = 0, storageBytes: Int64 = 0,
                cpuPercent: Double? = nil) {
        self.recipe = recipe
        self.deployment = deployment
        self.category = category
        self.memoryBytes = memoryBytes
        self.storageBytes = storageBytes
        self.cpuPercent = cpuPercent
    }
}
