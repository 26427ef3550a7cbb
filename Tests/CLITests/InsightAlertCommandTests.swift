import Foundation
import Protocol
import Testing
@testable import CLI

/// `homelab insights` and `homelab alerts`: what they print and what they send.
@Suite("Insights and alerts commands")
struct InsightAlertCommandTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("insights print most severe first, a suggested move's command under its sentence")
    func insightTable() {
        let move = MoveSuggestion(deployment: "jellyfin", component: "app", from: "pi4", to: "nas", reason: "8 GB RAM free, always on", gain: 35,
                                  command: "homelab apps migrate jellyfin --to nas", start: "/v1/insights/overload:device:pi4:memory/start")
        let insights = [
            Insight(id: "overload:device:pi4:memory", kind: .overload, severity: .critical, device: "pi4",
                    sentence: "pi4: RAM above 90 % for 15 min (95 % now); jellyfin uses 1.4 GB of it → move it to nas? (8 GB RAM free, always on)",
                    numbers: [:], suggestion: move),
            Insight(id: "time-to-full:device:nas:disk:/srv", kind: .timeToFull, severity: .info, device: "nas",
                    sentence: "nas: disk /srv 72 % full, growing 28 GB a week: full in about 10 weeks", numbers: [:]),
        ]
        #expect(InsightTable(insights: insights, style: Style(colorEnabled: false)).render() == """
            SEVERITY  KIND          INSIGHT
            critical  overload      pi4: RAM above 90 % for 15 min (95 % now); jellyfin uses 1.4 GB of it → move it to nas? (8 GB RAM free, always on)
                                    → homelab apps migrate jellyfin --to nas
            info      time-to-full  nas: disk /srv 72 % full, growing 28 GB a week: full in about 10 weeks

            """)
        #expect(InsightTable(insights: [], style: Style(colorEnabled: false)).render().hasPrefix("No insights: nothing stands out."))
    }

    @Test("channels show their state, what waits, and the last error only while failing")
    func channelTable() {
        let failing = AlertChannelStatus(state: .failing, lastAttemptAt: Self.now, lastDeliveredAt: Self.now.addingTimeInterval(-7200),
                                         lastError: "HTTP 500: boom", consecutiveFailures: 3, pending: 1)
        let fine = AlertChannelStatus(state: .ok, lastAttemptAt: Self.now, lastDeliveredAt: Self.now.addingTimeInterval(-60), lastError: nil,
                                      consecutiveFailures: 0, pending: 0)
        let channels = [
            AlertChannelResource(name: "hook", kind: .webhook, target: "https://example.org/hook", quietHours: nil, status: failing, updatedAt: Self.now),
            AlertChannelResource(name: "phone", kind: .ntfy, target: "https://ntfy.sh/homelab", quietHours: "22:00-07:00", status: fine, updatedAt: Self.now),
        ]
        #expect(AlertTables.channels(channels, now: Self.now, style: Style(colorEnabled: false)) == """
            NAME   TYPE     TARGET                    STATUS                  LAST SENT  QUIET        LAST ERROR
            hook   webhook  https://example.org/hook  failing (3), 1 waiting  2h ago     -            HTTP 500: boom
            phone  ntfy     https://ntfy.sh/homelab   ok                      1m ago     22:00-07:00  -

            """)
    }

    @Test("alerts say where their messages stand; a quiet one says cooldown")
    func alertTable() {
        let deliveries = [AlertDelivery(channel: "phone", message: .firing, state: .delivered, attempts: 1, nextAttemptAt: nil, deliveredAt: Self.now, lastError: nil),
                          AlertDelivery(channel: "mail", message: .firing, state: .pending, attempts: 2, nextAttemptAt: Self.now, deliveredAt: nil, lastError: "SMTP 451")]
        let alerts = [
            AlertResource(id: 2, rule: "device-offline", kind: .deviceOffline, subject: "nas", severity: .critical, state: .firing,
                          message: "nas has been offline for 5 min", firedAt: Self.now.addingTimeInterval(-300), resolvedAt: nil, notified: true,
                          deliveries: deliveries),
            AlertResource(id: 1, rule: "device-offline", kind: .deviceOffline, subject: "nas", severity: .critical, state: .resolved,
                          message: "nas has been offline for 5 min", firedAt: Self.now.addingTimeInterval(-400), resolvedAt: Self.now, notified: false,
                          deliveries: []),
        ]
        let text = AlertTables.alerts(alerts, now: Self.now)
        #expect(text.contains("2   firing    critical  device-offline  nas      5m ago  nas has been offline for 5 min  phone ok, mail retrying (2)"))
        #expect(text.contains("1   resolved  critical  device-offline  nas      6m ago  nas has been offline for 5 min  cooldown"))
    }

    @Test("channel and rule flags become the API's specs; a channel without what it needs is a usage error")
    func parsing() throws {
        let channel = try #require(try HomelabCommand.parseAsRoot([
            "alerts", "channels", "add", "mail", "--type", "smtp", "--smtp-host", "mail.example.org", "--from", "homelab@example.org",
            "--to", "me@example.org", "--to", "ops@example.org", "--username", "homelab", "--quiet-hours", "22:00-07:00",
        ]) as? AlertsChannelsAdd)
        let spec = channel.spec(password: "pw")
        #expect(spec.kind == .smtp && spec.smtp?.to == ["me@example.org", "ops@example.org"] && spec.smtp?.effectivePort == 587)
        #expect(spec.username == "homelab" && spec.password == "pw" && spec.quietHours == "22:00-07:00")
        #expect(throws: (any Error).self) { try HomelabCommand.parseAsRoot(["alerts", "channels", "add", "x", "--type", "ntfy"]) }
        #expect(throws: (any Error).self) { try HomelabCommand.parseAsRoot(["alerts", "channels", "add", "x", "--type", "pager"]) }
        let rule = try #require(try HomelabCommand.parseAsRoot([
            "alerts", "rules", "add", "hot", "--kind", "threshold", "--metric", "temperature", "--above", "75", "--for", "15m",
            "--channel", "phone", "--cooldown", "1h", "--severity", "critical",
        ]) as? AlertsRulesAdd)
        #expect(rule.spec == AlertRuleSpec(kind: .threshold, metric: .temperature, above: 75, forSeconds: 900, severity: .critical,
                                           channels: ["phone"], cooldownSeconds: 3600))
        #expect(AlertTables.when(rule.spec) == "temperature > 75°C for 15m")
        #expect(throws: (any Error).self) { try HomelabCommand.parseAsRoot(["alerts", "rules", "add", "x", "--kind", "threshold", "--for", "soon"]) }
    }
}
