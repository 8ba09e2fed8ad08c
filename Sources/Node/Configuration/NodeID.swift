/// Node ids: what peers, cursors, version vectors and audit lines know a node by.
public enum NodeID {
    public static let rule = "a node id is 2–63 characters: lower-case letters, digits and '-', starting with a letter"

    public static func isValid(_ id: String) -> Bool {
        let u = Array(id.utf8)
        guard (2...63).contains(u.count), let f = u.first, f >= UInt8(ascii: "a"), f <= UInt8(ascii: "z") else { return false }
        return u.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
    }
}
