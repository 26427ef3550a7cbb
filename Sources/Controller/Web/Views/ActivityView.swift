import Foundation
import Protocol

/// One line of the activity feed.
struct ActivityView: Sendable {
    var message: String
    var time: TimeView
    /// `device`, `deployment` or `other`, for its icon.
    var kind: String
    /// Where it points: the device's or the deployment's page.
    var href: String?

    /// The view of `entry` as of `now`.
    init(_ entry: ActivityEntry, now: Date) {
        message = entry.message
        time = TimeView(entry.time, now: now)
        kind = entry.type.hasPrefix("deployment.") ? "deployment" : entry.type.hasPrefix("device.") ? "device" : "other"
        // A removed deployment has no page any more; a removed device has no name in the entry.
        let app = entry.type == "deployment.removed" ? nil : entry.deployment
        href = app.map { "/apps/\(WebPage.percentEncoded($0))" } ?? entry.device.map { "/devices/\(WebPage.percentEncoded($0))" }
    }
}
