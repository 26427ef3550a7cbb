/// Parses `/proc/cpuinfo`, whose keys differ between x86 and ARM.
struct CPUInfoText {
    /// The first value seen for each key.
    private var values: [String: String] = [:]
    /// How many `processor` entries the file lists.
    private(set) var processorCount = 0

    /// Parses the file's `key : value` lines.
    init(_ text: String) {
        for line in text.split(separator: "\n") {
            guard let (key, value) = line.keyValue(separatedBy: ":") else { continue }
            if key == "processor" { processorCount += 1 }
            if values[key] == nil, !value.isEmpty { values[key] = value }
        }
    }

    /// The processor model: `model name` (x86 and 32-bit ARM), else `Model` or `Hardware` (Raspberry Pi), else the ARM part.
    var model: String? {
        values["model name"] ?? values["Model"] ?? values["Hardware"] ?? armPartName
    }

    /// The core's name from `CPU implementer` and `CPU part`, as 64-bit ARM kernels list nothing better.
    var armPartName: String? {
        guard let part = values["CPU part"]?.lowercased() else { return nil }
        let implementer = values["CPU implementer"]?.lowercased()
        if implementer == "0x41", let name = Self.armCores[part] { return "ARM " + name }
        return "CPU part \(part)" + (implementer.map { " (implementer \($0))" } ?? "")
    }

    /// Arm Ltd. core names by part number, for the boards a homelab meets.
    private static let armCores: [String: String] = [
        "0xb76": "ARM1176", "0xc07": "Cortex-A7", "0xc08": "Cortex-A8", "0xc09": "Cortex-A9", "0xc0f": "Cortex-A15",
        "0xd03": "Cortex-A53", "0xd04": "Cortex-A35", "0xd05": "Cortex-A55", "0xd07": "Cortex-A57",
        "0xd08": "Cortex-A72", "0xd09": "Cortex-A73", "0xd0a": "Cortex-A75", "0xd0b": "Cortex-A76",
        "0xd0c": "Neoverse-N1", "0xd0d": "Cortex-A77", "0xd41": "Cortex-A78", "0xd46": "Cortex-A510",
        "0xd47": "Cortex-A710", "0xd4b": "Cortex-A78C",
    ]
}
