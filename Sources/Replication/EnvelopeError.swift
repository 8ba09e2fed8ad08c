/// Why an envelope or a write was refused, naming the field.
public enum EnvelopeError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalid(String, String)
    case missingNaturalKey(type: String, field: String)
    case unknownType(String)

    public var description: String {
        switch self {
        case .invalid(let field, let why): "envelope field \"\(field)\" \(why)"
        case .missingNaturalKey(let t, let f): "a \(t) record needs \(f) to derive its id (natural key)"
        case .unknownType(let t): "unknown record type \"\(t)\""
        }
    }
}
