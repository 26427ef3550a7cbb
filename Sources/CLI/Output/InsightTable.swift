import Protocol

/// The `homelab insights` table: each insight's sentence, a suggested move's command under it.
public struct InsightTable: Sendable {
    /// Most severe first.
    public var insights: [Insight]
    /// Colors for the severity words.
    public var style: Style

    /// Creates the table.
    public init(insights: [Insight], style: Style) {
        self.insights = insights
        self.style = style
    }

    /// The table text, or what to expect when there is nothing to say.
    public func render() -> String {
        guard !insights.isEmpty else {
            return "No insights: nothing stands out. Trends need a few days of history; it grows with every sample.\n"
        }
        var rows: [[String]] = []
        for insight in insights {
            rows.append([severity(insight.severity), insight.kind.rawValue, insight.sentence])
            if let move = insight.suggestion { rows.append(["", "", "→ \(move.command)"]) }
        }
        return Table(headers: ["SEVERITY", "KIND", "INSIGHT"], rows: rows).render()
    }

    func severity(_ severity: InsightSeverity) -> String {
        switch severity {
        case .critical: style.paint(severity.rawValue, code: "31")
        case .warning: style.paint(severity.rawValue, code: "33")
        case .info: severity.rawValue
        }
    }
}
