import Foundation
import JSONSchema

/// `x-date-order`: pairs of date members where the later one may not be
/// before the earlier one (a decision is not dated before the case was opened).
struct DateOrder: ObjectCheck {
    let keyword = "x-date-order"
    let pairs: [(earlier: MemberName, later: MemberName)]

    init(_ pairs: [(String, String)]) {
        self.pairs = pairs.map { (MemberName($0.0), MemberName($0.1)) }
    }

    func check(_ object: ObjectView, title: (String) -> String?, findings: ((String, String) -> Void)?) -> Bool {
        var ok = true
        for (earlier, later) in pairs {
            // Only well-formed dates are compared; a malformed one has its own finding.
            guard let a = object.string(earlier), let b = object.string(later),
                  DateFormats.startsWithDate(a), DateFormats.startsWithDate(b) else { continue }
            // ISO dates compare correctly as text; a date-time is compared by its date.
            guard memcmp(a.baseAddress!, b.baseAddress!, 10) > 0 else { continue }
            ok = false
            guard let findings else { return false }
            let ta = title(earlier.name) ?? earlier.name, tb = title(later.name) ?? later.name
            let da = String(decoding: a.prefix(10), as: UTF8.self), db = String(decoding: b.prefix(10), as: UTF8.self)
            findings(later.name, "\(tb) \(db) is before \(ta) \(da); it must be on or after it")
        }
        return ok
    }
}
