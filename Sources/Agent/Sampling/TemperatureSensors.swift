import Protocol

/// Reads temperature sensors from sysfs thermal zones and hwmon chips.
enum TemperatureSensors {
    /// Every readable sensor, thermal zones first, or `nil` when there is none at all.
    static func read(sys: String) -> [TemperatureReading]? {
        let readings = thermalZones(sys: sys) + hwmon(sys: sys)
        return readings.isEmpty ? nil : readings
    }

    /// `/sys/class/thermal/thermal_zone*/temp`, named by the zone's `type`.
    static func thermalZones(sys: String) -> [TemperatureReading] {
        let base = sys + "/class/thermal"
        return (SystemFiles.list(base) ?? []).filter { $0.hasPrefix("thermal_zone") }.compactMap { zone in
            guard let celsius = celsius(base + "/" + zone + "/temp") else { return nil }
            return TemperatureReading(sensor: SystemFiles.readValue(base + "/" + zone + "/type") ?? zone, celsius: celsius)
        }
    }

    /// `/sys/class/hwmon/hwmon*/temp*_input`, named `<chip name>/<label or tempN>`.
    static func hwmon(sys: String) -> [TemperatureReading] {
        let base = sys + "/class/hwmon"
        return (SystemFiles.list(base) ?? []).filter { $0.hasPrefix("hwmon") }.flatMap { chip in
            let directory = base + "/" + chip
            let chipName = SystemFiles.readValue(directory + "/name") ?? chip
            let inputs = (SystemFiles.list(directory) ?? []).filter { $0.hasPrefix("temp") && $0.hasSuffix("_input") }
            return inputs.sorted(by: SystemFiles.naturalOrder).compactMap { input -> TemperatureReading? in
                let sensor = String(input.dropLast("_input".count))
                guard let celsius = celsius(directory + "/" + input) else { return nil }
                let label = SystemFiles.readValue(directory + "/" + sensor + "_label") ?? sensor
                return TemperatureReading(sensor: chipName + "/" + label, celsius: celsius)
            }
        }
    }

    /// A millidegree file in degrees Celsius, or `nil` when it is missing or unreadable (some zones fail with EINVAL).
    private static func celsius(_ path: String) -> Double? {
        guard let text = SystemFiles.readValue(path), let milli = Int64(text) else { return nil }
        return Double(milli) / 1000
    }
}
