import Standard
import JSON

/// Prints JSON values one per line.
enum Output {
    static func json(_ v: JSONValue) { print(JSONWriter.string(v)) }
}
