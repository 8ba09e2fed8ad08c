import JSON
import Standard
import TOMLKit

extension MappingLoader {
    static let testKeys = ["name", "input", "expect", "expect_absent", "expect_quarantine", "valid"]

    mutating func loadTests(_ v: (any TOMLValueConvertible)?, rules: [FieldRule]) -> [MappingTest] {
        guard let v else { return [] }
        guard let items = v.array else { issue(["test"], "tests are [[test]] tables"); return [] }
        var out: [MappingTest] = []
        let fieldNames = Set(rules.map(\.name))
        let allFields = dictionary.fields[recordType]!.map(\.path)
        for (i, item) in items.enumerated() {
            let path = ["test", "#\(i + 1)"]
            guard let t = item.table else { issue(path, "test \(i + 1) must be a table"); continue }
            let name = t["name"]?.string ?? "test \(i + 1)"
            for key in t.keys where !Self.testKeys.contains(key) {
                issue(path + [key], "unknown key \(key) in test \"\(name)\"\(didYouMean(key, in: Self.testKeys))")
            }
            var input: [(String, RowValue)] = []
            if let row = t["input"]?.table {
                for column in row.keys {
                    let value = json(row[column]!)
                    if columns[column] == nil {
                        issue(path + ["input"], "test \"\(name)\": column \(column) is read by no field of the mapping\(didYouMean(column, in: columns.keys))")
                    }
                    input.append((column, RowValue(json: value)))
                }
            } else {
                issue(path, "test \"\(name)\" needs input = { COLUMN = \"value\", … }")
            }
            var expect: [(String, JSONValue)] = []
            if let e = t["expect"]?.table {
                flatten(json(e), prefix: "", into: &expect)
                for (p, _) in expect where !fieldNames.contains(p) && !allFields.contains(p) {
                    issue(path + ["expect"], "test \"\(name)\" expects field \(p), which \(recordType) does not have\(didYouMean(p, in: allFields))")
                }
            }
            let absent = t["expect_absent"].flatMap { strings($0, at: path + ["expect_absent"]) } ?? []
            var quarantine: (String?, String?)?
            if let q = t["expect_quarantine"] {
                if let qt = q.table {
                    quarantine = (qt["field"]?.string, qt["reason"]?.string)
                } else if q.bool == true {
                    quarantine = (nil, nil)
                } else {
                    issue(path + ["expect_quarantine"], "expect_quarantine is true or { field = \"…\", reason = \"unknown-code\" }")
                }
            }
            if quarantine != nil && !expect.isEmpty {
                issue(path, "test \"\(name)\" expects both a record and a quarantine; give one")
            }
            out.append(MappingTest(name: name, line: locator.line(path) ?? 0, input: input, expect: expect, expectAbsent: absent,
                                   expectQuarantine: quarantine, valid: t["valid"]?.bool ?? false))
        }
        return out
    }

    /// `{ party = { name = "x" } }` → `party.name`; a field written `"party.name"` stays as it is.
    private func flatten(_ v: JSONValue, prefix: String, into out: inout [(String, JSONValue)]) {
        guard case .object(let o) = v else { out.append((prefix, v)); return }
        for (k, value) in o.members {
            let path = prefix.isEmpty ? k : prefix + "." + k
            let isField = dictionary.field(path, of: recordType).map { $0.kind != .object } ?? false
            if case .object = value, !isField { flatten(value, prefix: path, into: &out) } else { out.append((path, value)) }
        }
    }
}
