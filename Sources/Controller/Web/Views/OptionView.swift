/// One choice of a `<select>` (a filter, a grouping, a recipe's options).
struct OptionView: Sendable {
    var value: String
    var label: String
    var selected: Bool
}
