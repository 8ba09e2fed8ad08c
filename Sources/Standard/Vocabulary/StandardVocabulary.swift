import JSON
import JSONSchema

/// The standard's own keywords beyond draft 2020-12 (`Schemas/meta.json`):
/// `x-personal` masks a field's values in findings, `x-rule` quotes the
/// business rule a subschema states, `x-date-order` checks that one date is
/// not before another. The other `x-` keywords (natural key, conflict policy,
/// labels) describe record types and are read by the catalog, not validated.
public struct StandardVocabulary: SchemaVocabulary {
    public let uri = "https://hutong.example/standard/vocab/rules"
    /// The mask label of fields that are personal only when the party is a 自然人.
    public static let naturalPersonLabel = "natural-person"

    public init() {}

    public func compile(_ object: JSONObject) throws(SchemaVocabularyError) -> VocabularyKeywords? {
        var said = VocabularyKeywords()
        var any = false
        switch object["x-personal"] {
        case .bool(true)?: said.mask = PersonalData.mask; any = true
        case .string(Self.naturalPersonLabel)?: said.mask = PersonalData.mask; said.maskLabel = Self.naturalPersonLabel; any = true
        default: break
        }
        if let rule = object["x-rule"]?.stringValue { said.rule = rule; any = true }
        if case .array(let pairs)? = object["x-date-order"] {
            var order: [(String, String)] = []
            for p in pairs {
                guard case .array(let two) = p, two.count == 2, let a = two[0].stringValue, let b = two[1].stringValue else {
                    throw SchemaVocabularyError("x-date-order takes pairs of field names [earlier, later]")
                }
                order.append((a, b))
            }
            said.checks.append(DateOrder(order))
            any = true
        }
        return any ? said : nil
    }
}

extension ValidatorOptions {
    /// Draft 2020-12 with the standard's formats (the Chinese identifiers) and keywords.
    public static var standard: ValidatorOptions { .standard(assertFormats: false) }

    public static func standard(assertFormats: Bool) -> ValidatorOptions {
        ValidatorOptions(assertFormats: assertFormats, formats: Formats.all.merging(ChineseIdentifiers.formats) { a, _ in a },
                         vocabularies: [StandardVocabulary()])
    }
}
