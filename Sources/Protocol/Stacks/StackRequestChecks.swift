/// The names and numbers of stack requests, checked the same way by the controller (where a request
/// enters the API) and by the agent (which never trusts the controller to have checked).
extension StackRef {
    /// Throws ``SafeNameError`` unless the project and every service name follow their rules.
    public func validate() throws(SafeNameError) {
        try SafeName.check(project, .project)
        for service in services ?? [] { try SafeName.check(service, .service) }
    }
}

extension StackLogsRequest {
    /// Throws ``SafeNameError`` for a bad project or service name, ``InputBoundError`` for a tail out of range.
    public func validate() throws {
        try SafeName.check(project, .project)
        try SafeName.check(service, .service)
        try InputBounds.logTail.check(tail)
    }
}

extension StackProbe {
    /// Throws ``SafeNameError`` for a bad project or service name, ``InputBoundError`` for a port out of range.
    public func validate() throws {
        try SafeName.check(project, .project)
        try SafeName.check(service, .service)
        try InputBounds.port.check(port)
    }
}
