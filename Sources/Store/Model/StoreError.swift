public enum StoreError: Error, CustomStringConvertible, Sendable {
    case alreadyInitialised(String)
    case notInitialised(String)
    case unknownType(String)
    case unknownRecord(String)
    case unknownConflict(Int64)
    case invalidRecord(String)
    case corrupt(String)
    /// The store was made or migrated by a newer Hutong: what it is, and what to run.
    case newerThanThisHutong(String)

    public var description: String {
        switch self {
        case .alreadyInitialised(let p): "\(p) already holds a node store; a node id is never reused, so it is not overwritten"
        case .notInitialised(let p): "\(p) holds no node store; run `hutong init` first"
        case .unknownType(let t): "unknown record type \"\(t)\""
        case .unknownRecord(let id): "no record with id \(id)"
        case .unknownConflict(let id): "no conflict with id \(id)"
        case .invalidRecord(let why): why
        case .corrupt(let why): "the store is damaged: \(why)"
        case .newerThanThisHutong(let why): why
        }
    }
}
