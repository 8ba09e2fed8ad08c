import JSON

/// Which draft 2020-12 vocabularies apply to a schema resource, read from the
/// `$vocabulary` of its metaschema. A metaschema may, for example, switch on
/// format assertion (the standard's own metaschema does) or leave out validation.
/// The extra vocabularies given in `ValidatorOptions` are on unless a declared
/// `$vocabulary` leaves them out.
struct Vocabularies: Equatable {
    var applicator = true
    var validation = true
    var unevaluated = true
    var formatAssertion = false
    /// The URIs of extra vocabularies that are off; none when nothing was declared.
    var extensionsOff: Set<String> = []
    /// The extra vocabularies' URIs, by their index in `ValidatorOptions.vocabularies`.
    var extensionURIs: [String] = []


    static let prefix = "https://json-schema.org/draft/2020-12/vocab/"
    static let known: Set<String> = [
        prefix + "core", prefix + "applicator", prefix + "unevaluated", prefix + "validation",
        prefix + "meta-data", prefix + "format-annotation", prefix + "format-assertion", prefix + "content",
    ]

    init(extensions: [String] = []) { extensionURIs = extensions }

    /// - Throws: when a vocabulary is required (`true`) but unknown, as the spec demands.
    init(declared: JSONObject, extensions: [String]) throws {
        extensionURIs = extensions
        applicator = declared[Self.prefix + "applicator"] != nil
        validation = declared[Self.prefix + "validation"] != nil
        unevaluated = declared[Self.prefix + "unevaluated"] != nil
        formatAssertion = declared[Self.prefix + "format-assertion"] != nil
        extensionsOff = Set(extensions.filter { declared[$0] == nil })
        for (uri, required) in declared.members where required == .bool(true) && !Self.known.contains(uri) && !extensions.contains(uri) {
            throw SchemaError.unsupportedVocabulary(uri)
        }
    }

    func extensionIsOn(_ index: Int) -> Bool { !extensionsOff.contains(extensionURIs[index]) }
}
