/// Why a row could not be mapped: the field, the step, the value (masked when
/// the field is personal) and the reason, as quarantine keeps it.
public struct MappingProblem: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case unknownCode = "unknown-code"
        case severalCodes = "several-codes"
        case badDate = "bad-date"
        case noSuchDate = "no-such-date"
        case badMoney = "bad-money"
        case fractionOfFen = "fraction-of-fen"
        case negativeMoney = "negative-money"
        case notInteger = "not-integer"
        /// A long number Excel turned into scientific notation (4.20106E+17): its digits are gone.
        case excelNumber = "excel-number"
        case badRow = "bad-row"
    }

    public let kind: Kind
    /// The standard field (`fine_fen`), or the column for a row that could not be read.
    public let field: String
    /// The step that failed (`money`, `codes penalty-kind`).
    public let step: String
    /// The value as the source had it, masked for a personal field.
    public let value: String
    /// The reason in words, with the fix where one is known.
    public let reason: String

    /// Ends with the reason code in brackets, which `code(in:)` reads back from a kept reason.
    public var description: String {
        "\(field): \(value.isEmpty ? "" : "\"\(value)\": ")\(reason) [\(kind.rawValue)]"
    }

    /// The reason code (`unknown-code`) at the end of a reason as quarantine keeps it, or nil.
    public static func code(in reason: String) -> String? {
        guard reason.hasSuffix("]"), let open = reason.lastIndex(of: "[") else { return nil }
        let code = String(reason[reason.index(after: open)..<reason.index(before: reason.endIndex)])
        return Kind(rawValue: code) == nil ? nil : code
    }
}
