import FoundationEssentials

/// `PATCH /v1/devices/{name}`: change what people may change about a device.
public struct DeviceUpdate: Codable, Equatable, Sendable {
    /// The device's labels, replaced as a whole (`location`, `function`, … group the topology map).
    public var labels: [String: String]?

    /// Creates an update.
    public init(labels: [String: String]? = nil) { self.labels = labels }
}
