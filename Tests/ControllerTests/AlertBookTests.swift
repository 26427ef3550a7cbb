@testable import Controller
import Foundation
import Protocol
import Testing

/// The rules of alerting without I/O: deduplication, cooldown, resolution, quiet-hour drops.
@Suite("Alert book")
struct AlertBookTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let rules: [String: AlertRuleSpec] = [
        "offline": AlertRuleSpec(kind: .deviceOffline, forSeconds: 60, cooldownSeconds: 600),
        "hot": AlertRuleSpec(kind: .threshold, metric: .temperature, above: 70, channels: ["mail"]),
    ]

    static func condition(_ rule: String = "offline", _ subject: String = "nas") -> AlertCondition {
        AlertCondition(rule: rule, kind: rule == "offline" ? .deviceOffline : .threshold, subject: subject, severity: .warning,
                       title: "\(subject) is offline", message: "\(subject) has been offline for 1 min")
    }

    static func alert(id: Int64, _ condition: AlertCondition, firedAt: Date, notified: Bool = true, state: AlertState = .firing) -> AlertRecord {
        AlertRecord(id: id, rule: condition.rule, kind: condition.kind.rawValue, fingerprint: condition.fingerprint, subject: condition.subject,
                    severity: condition.severity.rawValue, state: state.rawValue, title: condition.title, message: condition.message,
                    firedAt: firedAt, resolvedAt: nil, notified: notified)
    }

    static func delivery(id: Int64, alert: Int64, channel: String, state: AlertDelivery.State) -> AlertDeliveryRecord {
        AlertDeliveryRecord(id: id, alertID: alert, channel: channel, message: AlertDelivery.Message.firing.rawValue, title: "t", body: "b",
                            severity: "warning", state: state.rawValue, attempts: state == .pending ? 0 : 1, nextAttemptAt: nil, lastAttemptAt: nil,
                            deliveredAt: nil, lastError: nil, createdAt: now)
    }

    @Test("a new condition opens one alert told to every channel (or the rule's), and one already firing opens none")
    func deduplication() {
        let plan = AlertBook.plan(firing: [], conditions: [Self.condition(), Self.condition(), Self.condition("hot")], rules: Self.rules,
                                  lastNotified: [:], deliveries: [:], channels: ["mail", "phone"], now: Self.now)
        #expect(plan.openings.map(\.condition.fingerprint) == ["offline/nas", "hot/nas"], "the same condition twice opens one alert")
        #expect(plan.openings.map(\.channels) == [["mail", "phone"], ["mail"]])
        let again = AlertBook.plan(firing: [Self.alert(id: 1, Self.condition(), firedAt: Self.now)], conditions: [Self.condition()], rules: Self.rules,
                                   lastNotified: [:], deliveries: [:], channels: ["mail"], now: Self.now.addingTimeInterval(60))
        #expect(again == AlertPlan(), "still firing: nothing new, nothing resolved")
    }

    @Test("within the cooldown after a notification the same alert opens quietly; after it, it is told again")
    func cooldown() {
        let last = ["offline/nas": Self.now.addingTimeInterval(-300)]
        let quiet = AlertBook.plan(firing: [], conditions: [Self.condition()], rules: Self.rules, lastNotified: last, deliveries: [:],
                                   channels: ["mail"], now: Self.now)
        #expect(quiet.openings.first?.notified == false)
        #expect(quiet.openings.first?.channels == [])
        let told = AlertBook.plan(firing: [], conditions: [Self.condition()], rules: Self.rules, lastNotified: last, deliveries: [:],
                                  channels: ["mail"], now: Self.now.addingTimeInterval(301))
        #expect(told.openings.first?.notified == true)
        let other = AlertBook.plan(firing: [], conditions: [Self.condition("offline", "pi4")], rules: Self.rules, lastNotified: last, deliveries: [:],
                                   channels: ["mail"], now: Self.now)
        #expect(other.openings.first?.notified == true, "the cooldown is per device")
    }

    @Test("a cleared condition resolves its alert, told to the channels that got it and not to those it never reached")
    func resolution() throws {
        let firing = Self.alert(id: 7, Self.condition(), firedAt: Self.now.addingTimeInterval(-720))
        let deliveries: [Int64: [AlertDeliveryRecord]] = [7: [Self.delivery(id: 1, alert: 7, channel: "mail", state: .delivered),
                                                               Self.delivery(id: 2, alert: 7, channel: "phone", state: .pending),
                                                               Self.delivery(id: 3, alert: 7, channel: "chat", state: .failed)]]
        let plan = AlertBook.plan(firing: [firing], conditions: [], rules: Self.rules, lastNotified: [:], deliveries: deliveries,
                                  channels: ["mail", "phone", "chat"], now: Self.now)
        let resolution = try #require(plan.resolutions.first)
        #expect(resolution.channels == ["mail"])
        #expect(resolution.dropped == [2], "a firing message still waiting (retries, quiet hours) is dropped with nothing said")
        #expect(resolution.title == "nas is back online")
        #expect(resolution.message == "nas is back online after 12 min")
    }

    @Test("an alert whose rule is gone or off resolves without a word; one opened in a cooldown resolves quietly too")
    func silentResolutions() {
        var rules = Self.rules
        rules["offline"]?.enabled = false
        let firing = Self.alert(id: 1, Self.condition(), firedAt: Self.now)
        let delivered: [Int64: [AlertDeliveryRecord]] = [1: [Self.delivery(id: 1, alert: 1, channel: "mail", state: .delivered)]]
        let off = AlertBook.plan(firing: [firing], conditions: [], rules: rules, lastNotified: [:], deliveries: delivered, channels: ["mail"], now: Self.now)
        #expect(off.resolutions.map(\.channels) == [[]])
        let quiet = Self.alert(id: 2, Self.condition("offline", "pi4"), firedAt: Self.now, notified: false)
        let plan = AlertBook.plan(firing: [quiet], conditions: [], rules: Self.rules, lastNotified: [:], deliveries: [:], channels: ["mail"], now: Self.now)
        #expect(plan.resolutions.map(\.channels) == [[]])
    }

    @Test("retries double from the base up to the cap, and wait at least as long as the receiver asked")
    func backoff() {
        var settings = AlertSettings()
        settings.retryBase = 30
        settings.retryCap = 3600
        #expect((1...9).map { settings.delay(afterAttempts: $0, retryAfter: nil) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(settings.delay(afterAttempts: 1, retryAfter: 90) == 90)
    }

    @Test("quiet hours across midnight hold a message until they end")
    func quietHours() throws {
        let window = try DailyWindow(parsing: "22:00-07:00", timeZone: TimeZone(identifier: "UTC")!)
        let night = Date(timeIntervalSince1970: 1_800_057_600 + 23 * 3600 + 15 * 60 + 20)  // 23:15:20 UTC
        #expect(window.contains(night))
        #expect(window.nextEnd(after: night) == Date(timeIntervalSince1970: 1_800_057_600 + 31 * 3600))
        #expect(!window.contains(Date(timeIntervalSince1970: 1_800_057_600 + 12 * 3600)))
        #expect(throws: DailyWindowError.self) { try DailyWindow(parsing: "25:00-07:00", timeZone: .current) }
    }
}
