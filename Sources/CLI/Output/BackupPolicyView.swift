import Protocol

/// `homelab backup policy show|set`: the policy as it applies.
enum BackupPolicyView {
    /// The text, one line a field.
    static func render(_ policy: BackupPolicyResource) -> String {
        let retention = policy.retention
        let jitter = policy.jitterMinutes > 0 ? " + \(policy.jitterMinutes) min (this app's jitter)" : ""
        return """
            App:        \(policy.deployment)\(policy.isDefault ? " (default policy)" : "")
            Schedule:   \(policy.schedule)\(jitter)\(policy.enabled ? "" : " (disabled)")
            Next run:   \(policy.nextRunAt.map(Units.timestamp) ?? "-")
            Target:     \(policy.target ?? "the only target")
            Keeps:      last \(retention.keepLast), daily \(retention.keepDaily), weekly \(retention.keepWeekly), monthly \(retention.keepMonthly)

            """
    }
}
