/// Left-aligned columns separated by two spaces; cell widths ignore color escape sequences.
public struct Table: Sendable {
    /// Column titles.
    public var headers: [String]
    /// Rows of cells, one per column.
    public var rows: [[String]]

    /// Creates a table.
    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// The table as text, one line per row after the header line, each ending in a newline, no trailing spaces.
    public func render() -> String {
        let all = [headers] + rows
        var widths = Array(repeating: 0, count: headers.count)
        for row in all {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], Self.visibleWidth(cell))
            }
        }
        var output = ""
        for row in all {
            var line = ""
            for (column, cell) in row.enumerated() where column < widths.count {
                if column > 0 { line += "  " }
                line += cell
                if column < row.count - 1 {
                    line += String(repeating: " ", count: widths[column] - Self.visibleWidth(cell))
                }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            output += line + "\n"
        }
        return output
    }

    /// The number of characters a terminal shows, skipping `ESC [ … m` sequences.
    public static func visibleWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for character in text {
            if inEscape {
                if character == "m" { inEscape = false }
            } else if character == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }
}
