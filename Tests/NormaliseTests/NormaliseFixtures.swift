import Foundation
import HutongTesting
import Standard
@testable import Normalise

enum NormaliseFixtures {
    static let dictionary = try! DataDictionary(directory: TestRepository.schemas)
    static let example = TestRepository.root.appendingPathComponent("deploy/examples/legacy-penalty")

    /// A mapping from its text, or the error it gives.
    static func mapping(_ text: String) throws(MappingError) -> Mapping {
        try Mapping(text: text, file: "test.toml", dictionary: dictionary)
    }

    /// A row of these columns and values.
    static func row(_ pairs: KeyValuePairs<String, String>) -> SourceRow {
        row(pairs.map { ($0.key, $0.value) })
    }

    static func row(_ pairs: [(String, String)]) -> SourceRow {
        SourceRow(columns: SourceColumns(pairs.map(\.0)), values: pairs.map { .text($0.1) }, origin: "test", location: "1")
    }

    /// The mapping's problems as `line: message`.
    static func problems(_ text: String) -> [String] {
        do {
            _ = try mapping(text)
            return []
        } catch {
            return error.issues.map { "\($0.line.map(String.init) ?? "-"): \($0.message)" }
        }
    }

    /// A minimal penalty mapping: every required field from a column of the same name, plus `extra`.
    static func penalty(_ extra: String = "") -> String {
        """
        [mapping]
        type = "penalty"

        [field]
        decision_number = "WSH"
        "party.kind" = { const = "法人及非法人组织" }
        "party.name" = "MC"
        violation_type = "WFXW"
        violation_facts = "SY"
        legal_basis = "YJ"
        penalty_kinds = { from = "CFLB", do = ["split", "codes"] }
        content = "NR"
        decision_date = { from = "JDRQ", do = ["date"] }
        valid_until = { from = "YXQ", do = ["date"] }
        "issuing_agency.name" = "JG"
        "issuing_agency.credit_code" = "JGDM"
        "source_agency.name" = "JG"
        "source_agency.credit_code" = "JGDM"
        operation = { const = "新增" }
        updated_at = { from = "GXSJ", do = ["datetime"] }
        usage_scope = { const = "0" }
        region = "XZQH"
        \(extra)
        """
    }
}
