/// Sizes and numbers as people read them.
public enum Bytes {
    /// `512 MB`, `7.5 GB`, `2 TB` (powers of 1024).
    public static func words(_ bytes: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB"]
        var value = Double(max(0, bytes))
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\(decimal(value)) \(units[unit])"
    }

    /// One decimal, none when whole: `7.5`, `8`.
    static func decimal(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
