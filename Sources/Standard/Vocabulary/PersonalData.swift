/// Masking of personal information (个人信息保护法): names and ID numbers of
/// natural persons never appear whole in messages or logs, and peers without
/// the grant receive masked values.
public enum PersonalData {
    /// `110105194912310021` → `110105********0021`; `张三丰` → `张**`.
    public static func mask(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        if scalars.count >= 10 && scalars.allSatisfy({ $0.isASCII }) {
            return String(String.UnicodeScalarView(scalars.prefix(6))) + String(repeating: "*", count: scalars.count - 10)
                + String(String.UnicodeScalarView(scalars.suffix(4)))
        }
        guard let first = scalars.first else { return value }
        return String(Character(first)) + String(repeating: "*", count: max(1, scalars.count - 1))
    }
}
