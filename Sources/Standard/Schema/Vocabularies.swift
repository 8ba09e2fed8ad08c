/// Which draft 2020-12 vocabularies apply to a schema resource, read from the
/// `$vocabulary` of its metaschema. A metaschema may, for example, switch on
/// format assertion (the standard's own metaschema does) or leave out validation.
struct Vocabularies: Equatable {
    var applicator = true
    var validation = true
    var unevaluated = true
    var formatAssertion = false
    var hutongRules = true

    static let standard = Vocabularies()

    static let prefix = "https://json-schema.org/draft/2020-12/vocab/"
    static let hutongRulesURI = "https://hutong.example/standard/vocab/rules"
    static let known: Set<String> = [
        prefix + "core", prefix + "applicator", prefix + "unevaluated", prefix + "validation",
        prefix + "meta-data", prefix + "format-annotation", prefix + "format-assertion", prefix + "content",
        hutongRulesURI,
    ]

    init() {}

    /// - Throws: when a vocabulary is required (`true`) but unknown, as the spec demands.
    init(declared: JSONObject) throws {
        applicator = declared[Self.prefix + "applicator"] != nil
        validation = declared[Self.prefix + "validation"] != nil
        unevaluated = declared[Self.prefix + "unevaluated"] != nil
        formatAssertion = declared[Self.prefix + "format-assertion"] != nil
        hutongRules = declared[Self.hutongRulesURI] != nil
        for (uri, required) in declared.members where required == .bool(true) && !Self.known.contains(uri) {
            throw SchemaError.unsupportedVocabulary(uri)
        }
    }
}
