/// Putting the web port on the main service, the same for every store.
enum WebPort {
    /// Makes the main service publish its web port as the `WEB_PORT` input and returns the `web.port` template.
    ///
    /// - With host networking the container's own port is the web port: the input when the store's file already
    ///   refers to it, else `storePort` (or `containerPort`) as a number.
    /// - A mapping already published on the input is kept; a mapping of `containerPort`, or one published on
    ///   `storePort`, gets the input as its published port; else `containerPort` is published on the input.
    /// - Returns nil when nothing says which port is the web port.
    static func attach(to service: inout ServiceDraft, containerPort: String?, storePort: String?, context: ImportContext) -> String? {
        if service.usesHostNetwork {
            if context.webPortName != nil { return context.webPort() }
            return storePort ?? containerPort
        }
        if let webPortName = context.webPortName,
           service.ports.contains(where: { $0.published == "${input.\(webPortName)}" }) {
            return context.webPort()
        }
        if let containerPort, let index = service.ports.firstIndex(where: { $0.target == containerPort && $0.proto == nil }) {
            service.ports[index].published = context.webPort()
            return context.webPort()
        }
        if let storePort, let index = service.ports.firstIndex(where: { $0.published == storePort && $0.proto == nil }) {
            service.ports[index].published = context.webPort()
            return context.webPort()
        }
        if let containerPort {
            service.ports.insert(PortDraft(published: context.webPort(), target: containerPort), at: 0)
            return context.webPort()
        }
        return nil
    }

    /// The first number in `text` (`"8080"`, `8080/tcp`), nil when none.
    static func number(_ text: String?) -> Int? {
        guard let text else { return nil }
        let digits = text.drop { !$0.isNumber }.prefix { $0.isNumber }
        return Int(digits)
    }
}
