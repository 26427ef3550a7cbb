import Protocol

/// A `<meter>` of use against capacity: the browser colours it by the health thresholds.
struct MeterView: Sendable {
    /// `CPU`, `RAM`, `Disk`.
    var label: String
    /// 0-1, as the meter's value.
    var value: String
    /// `45 %`.
    var percent: String
    /// `3.6 GB of 8 GB`.
    var detail: String
    /// Where the meter turns yellow and red, 0-1.
    var low: String
    var high: String
    /// Green, yellow or red, for the text beside it.
    var level: String

    /// A meter at `percent` (0-100) with `detail`, coloured by `thresholds`.
    init(label: String, percent: Double, detail: String, thresholds: HealthThresholds) {
        let clamped = min(100, max(0, percent))
        self.label = label
        value = String(clamped / 100)
        self.percent = Format.percent(clamped)
        self.detail = detail
        low = String(thresholds.warningPercent / 100)
        high = String(thresholds.criticalPercent / 100)
        level = thresholds.level(of: clamped).rawValue
    }

    /// Used against total bytes.
    init(label: String, used: Double, total: Double, thresholds: HealthThresholds) {
        self.init(label: label, percent: total > 0 ? used / total * 100 : 0,
                  detail: "\(Format.bytes(used)) of \(Format.bytes(total))", thresholds: thresholds)
    }
}
