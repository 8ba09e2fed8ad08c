import Foundation

/// Text as a dictionary key by its UTF-8 bytes. `String` hashes a non-ASCII
/// value through Unicode normalisation, which for Chinese codes, labels and
/// column names costs more than the rest of a lookup; the bytes of the same
/// text are the same here (the values come from one file or table).
struct TextKey: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    static func == (a: TextKey, b: TextKey) -> Bool {
        TextTransforms.withBytes(a.text) { x in
            TextTransforms.withBytes(b.text) { y in TextTransforms.sameBytes(x, y) }
        }
    }
}
