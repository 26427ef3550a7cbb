import Mustache

// The overview renders a hundred device rows with three meters each. Mustache finds a field by reflection,
// which builds every field of a value for each lookup; these two types answer by name instead.

extension MeterView: MustacheParent {
    /// The field named `name`, for the templates.
    func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "value": value
        case "percent": percent
        case "detail": detail
        case "low": low
        case "high": high
        case "level": level
        default: nil
        }
    }
}

extension DeviceSummaryView: MustacheParent {
    /// The field named `name`, for the templates.
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "href": href
        case "status": status
        case "statusText": statusText
        case "health": health
        case "healthText": healthText
        case "address": address
        case "architecture": architecture
        case "model": model
        case "cores": cores as Any?
        case "cpu": cpu as Any?
        case "memory": memory as Any?
        case "disk": disk as Any?
        case "temperature": temperature as Any?
        case "lastSeen": lastSeen as Any?
        case "apps": apps
        case "appCount": appCount
        case "size": size
        case "pending": pending
        case "keyFingerprint": keyFingerprint
        default: nil
        }
    }
}
