import ArgumentParser
import Protocol

// The API's alert enums as command-line values, spelled as the API spells them.
extension AlertChannelKind: ExpressibleByArgument {}
extension SMTPSecurity: ExpressibleByArgument {}
extension AlertRuleKind: ExpressibleByArgument {}
extension AlertMetric: ExpressibleByArgument {}
extension AlertSeverity: ExpressibleByArgument {}
extension InsightKind: ExpressibleByArgument {}
