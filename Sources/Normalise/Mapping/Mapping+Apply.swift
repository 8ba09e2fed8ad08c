import JSON
import Standard

extension Mapping {
    /// One row → a standard record (not yet validated), or why not. One bad
    /// value stops only its row.
    public func map(_ row: SourceRow) -> Result<JSONValue, MappingProblem> {
        var coverage: MappingCoverage?
        return map(row, coverage: &coverage)
    }

    func map(_ row: SourceRow, coverage: inout MappingCoverage?) -> Result<JSONValue, MappingProblem> {
        let plan = columnPlan.positions(in: row.columns)
        var made = [MappedValue](repeating: .empty, count: fields.count)
        // Through buffers: passing the array being filled to each field's
        // rule retained and released it (and the rule's parts) field by field.
        let failed = made.withUnsafeMutableBufferPointer { (out) -> MappingProblem? in
            fields.withUnsafeBufferPointer { (rules) -> MappingProblem? in
                caseBase.withUnsafeBufferPointer { (base) -> MappingProblem? in
                    casePlans.withUnsafeBufferPointer { (plans) -> MappingProblem? in
                        for i in rules.indices {
                            do throws(MappingProblem) {
                                out[i] = try make(rules[i], UnsafeBufferPointer(rebasing: plans[base[i]...]), row, plan, UnsafeBufferPointer(out), &coverage)
                            } catch { return error }
                        }
                        return nil
                    }
                }
            }
        }
        if let failed { return .failure(failed) }
        return .success(layout.build(made))
    }

    /// `plans`: the rule's case plans first (`casePlans`).
    private func make(_ rule: FieldRule, _ plans: UnsafeBufferPointer<CasePlan>, _ row: SourceRow, _ plan: [Int], _ made: UnsafeBufferPointer<MappedValue>, _ coverage: inout MappingCoverage?) throws(MappingProblem) -> MappedValue {
        for ci in rule.cases.indices {
            if let when = rule.cases[ci].when {
                let subject: MappedValue = switch when.subject {
                case .column(let col): MappedValue(row.value(col, plan))
                case .field: plans[ci].subject >= 0 ? made[plans[ci].subject] : .empty
                }
                guard when.holds(subject) else { continue }
            }
            coverage?.hit(rule.name, .caseTaken(ci))
            let c = rule.cases[ci]
            var value = source(c.source, row, plan)
            let raw = value
            // A value met before takes the result its steps gave then;
            // coverage counts what each step does, so it runs them all.
            let slot = coverage == nil && plans[ci].memoSlot >= 0 ? plans[ci].memoSlot : nil
            var found = false, keep: String?
            if let slot, case .text(let s) = raw, s.utf8.count <= StepMemo.longest {
                if let result = memo.result(slot, s) { value = result; found = true } else { keep = s }
            }
            // Through the buffer: the steps are read in place, not copied out (their tables and sets retained).
            if !found { try c.steps.withUnsafeBufferPointer { (steps) throws(MappingProblem) in
                for si in steps.indices {
                    do throws(Step.Failure) {
                        let (v, outcome) = try steps[si].apply(value)
                        coverage?.hit(rule.name, .step(ci, si, outcome))
                        value = v
                    } catch {
                        coverage?.hit(rule.name, .step(ci, si, .problem(error.kind)))
                        let item = error.item.map { "\"\(rule.personal ? PersonalData.mask($0) : $0)\" " } ?? ""
                        throw problem(error.kind, rule, steps[si].name, raw, item + error.reason)
                    }
                }
            } }
            if let slot, let keep { memo.keep(slot, keep, value) }
            if value.isEmpty, let d = c.defaultValue {
                coverage?.hit(rule.name, .defaulted(ci))
                return .json(d)
            }
            if value.isEmpty { coverage?.hit(rule.name, .empty(ci)) }
            return try finish(value, rule, raw: raw)
        }
        coverage?.hit(rule.name, .noCase)
        return .empty
    }

    /// The value in the field's own kind: a single code where one is wanted, a whole number for a number field.
    private func finish(_ value: MappedValue, _ rule: FieldRule, raw: MappedValue) throws(MappingProblem) -> MappedValue {
        switch value {
        case .list(let items) where !rule.isList:
            guard items.count <= 1 else {
                throw problem(.severalCodes, rule, "codes", raw, "stands for several codes (\(items.map(\.shown).joined(separator: "、"))), but \(rule.name) holds one")
            }
            return items.first ?? .empty
        case .text(let s) where rule.isInteger:
            guard let n = Int64(TextTransforms.trim(s)) else { throw problem(.notInteger, rule, "", raw, "not a whole number") }
            return .integer(n)
        case .decimal where rule.isInteger:
            throw problem(.notInteger, rule, "", raw, "not a whole number")
        case .text(let s) where Self.looksLikeExcelScientific(s):
            throw problem(.excelNumber, rule, "", raw, "a number in scientific notation, as Excel shows a long number (an ID or credit code) it has rounded: its digits are lost; export the column as text")
        default:
            return value
        }
    }

    /// `4.20106E+17`, `1E+15`: how Excel writes a number of more than 11 digits.
    static func looksLikeExcelScientific(_ text: String) -> Bool {
        TextTransforms.withBytes(text) { b in
            guard b.count >= 5, b.count <= 20, (0x31...0x39).contains(b[0]) else { return false }
            var i = 1
            if b[i] == UInt8(ascii: ".") {
                i += 1
                let digits = i
                while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
                guard i > digits else { return false }
            }
            guard i + 2 < b.count, b[i] | 0x20 == UInt8(ascii: "e"), b[i + 1] == UInt8(ascii: "+") else { return false }
            i += 2
            let exponent = i
            while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
            return i == b.count && i - exponent <= 2 && i > exponent
        }
    }

    private func source(_ s: ValueSource, _ row: SourceRow, _ plan: [Int]) -> MappedValue {
        switch s {
        case .columns(let cols):
            for c in cols {
                let v = MappedValue(row.value(c, plan))
                if !v.isEmpty { return v }
            }
            return .empty
        case .template(let parts):
            var out = ""
            var any = false
            for p in parts {
                switch p {
                case .literal(let l): out += l
                case .column(let c):
                    let v = row.value(c, plan)
                    if !v.isEmpty { any = true; out += TextTransforms.trim(v.text) }
                }
            }
            return any ? .text(out) : .empty
        case .constant(let j): return .json(j)
        case .none: return .empty
        }
    }

    private func problem(_ kind: MappingProblem.Kind, _ rule: FieldRule, _ step: String, _ raw: MappedValue, _ reason: String) -> MappingProblem {
        let shown = String(raw.shown.prefix(200))
        return MappingProblem(kind: kind, field: rule.name, step: step, value: rule.personal ? PersonalData.mask(shown) : shown, reason: reason)
    }

}
