import JSON

/// Builders of valid records, one per record type.
enum SampleRecords {
    typealias R = SplitMix64

    static func build(_ type: String, serial: Int, _ rng: inout R) -> JSONObject {
        let place = rng.pick(SampleData.places)
        let dept = rng.pick(SampleData.departments)
        let agency = agencyRef(place, dept, &rng)
        let day = rng.int(0...1400)
        var o: JSONObject
        switch type {
        case "agency": o = agencyRecord(place, dept, agency, &rng)
        case "officer": o = officer(place, dept, agency, serial, day, &rng)
        case "matter": o = matter(place, dept, agency, serial, day, &rng)
        case "inspection": o = inspection(place, dept, agency, serial, day, &rng)
        case "coercive_measure": o = coercive(place, dept, agency, serial, day, &rng)
        case "case_transfer": o = caseTransfer(place, dept, agency, serial, day, &rng)
        case "violation_lead": o = lead(place, dept, agency, serial, day, &rng)
        default: o = penalty(place, dept, agency, serial, day, &rng)
        }
        // The fields every record carries.
        var base = JSONObject()
        base["type"] = .string(type)
        for (k, v) in o.members { base[k] = v }
        base["source_agency"] = agency
        base["operation"] = .string(rng.chance(0.85) ? "新增" : "变更")
        base["updated_at"] = .string(SampleData.date(daysAfter2022: day + rng.int(1...20)) + "T\(String(format2: rng.int(8...18))):\(String(format2: rng.int(0...59))):00+08:00")
        base["usage_scope"] = .string(type == "case_transfer" || type == "violation_lead" ? "1" : rng.chance(0.8) ? "0" : "2")
        base["region"] = .string(place.code)
        return base
    }

    static func agencyRef(_ place: SampleData.Place, _ dept: SampleData.Department, _ rng: inout R) -> JSONValue {
        ["name": .string(place.name + dept.suffix), "credit_code": .string(SampleData.uscc(&rng, kind: "11", region: place.code))]
    }

    static func party(_ place: SampleData.Place, _ rng: inout R) -> JSONValue {
        let roll = rng.int(0...99)
        let representative: JSONValue = [
            "name": .string(SampleData.personName(&rng)),
            "id_document": ["kind": "身份证", "number": .string(SampleData.residentID(&rng, region: place.code))],
        ]
        if roll < 70 {
            return [
                "kind": "法人及非法人组织",
                "name": .string(SampleData.companyName(&rng, place: place)),
                "credit_code": .string(SampleData.uscc(&rng, kind: "91", region: place.code)),
                "legal_representative": representative,
                "address": .string(place.name + "\(rng.int(1...300))号"),
            ]
        } else if roll < 85 {
            return [
                "kind": "个体工商户",
                "name": .string(String(place.name.suffix(3)) + rng.pick(SampleData.surnames) + "记" + rng.pick(["小吃店", "五金店", "便利店", "修车铺"])),
                "credit_code": .string(SampleData.uscc(&rng, kind: "92", region: place.code)),
                "legal_representative": representative,
            ]
        } else {
            return [
                "kind": "自然人",
                "name": .string(SampleData.personName(&rng)),
                "id_document": ["kind": "身份证", "number": .string(SampleData.residentID(&rng, region: place.code))],
            ]
        }
    }

    static func officers(_ rng: inout R) -> JSONValue {
        .array((0..<rng.int(2...3)).map { _ in
            ["name": .string(SampleData.personName(&rng)), "certificate_number": .string("\(rng.int(11...65))\(rng.int(100000...999999))")]
        })
    }

    static func penalty(_ place: SampleData.Place, _ dept: SampleData.Department, _ agency: JSONValue, _ serial: Int, _ day: Int, _ rng: inout R) -> JSONObject {
        let v = rng.pick(SampleData.violations)
        let kindsChoice = rng.pick([["罚款"], ["罚款"], ["罚款"], ["警告"], ["警告", "罚款"], ["罚款", "没收违法所得"], ["没收非法财物", "罚款"], ["吊销许可证件"], ["责令停产停业", "罚款"], ["通报批评"]])
        let decision = SampleData.date(daysAfter2022: day)
        var o = JSONObject()
        o["decision_number"] = .string("\(place.abbr)\(dept.short)罚〔\(decision.prefix(4))〕\(serial)号")
        o["party"] = party(place, &rng)
        o["violation_type"] = .string(v.type)
        o["violation_facts"] = .string(v.facts + "违反了" + v.rule + "的规定。")
        o["legal_basis"] = .string(v.basis)
        o["penalty_kinds"] = .array(kindsChoice.map { .string($0) })
        var content: [String] = []
        if kindsChoice.contains("警告") { content.append("警告") }
        if kindsChoice.contains("罚款") {
            let yuan = rng.pick([500, 2000, 5000, 10000, 30000, 50000, 100000, 200000])
            o["fine_fen"] = .int(Int64(yuan * 100))
            content.append("罚款人民币\(yuan)元")
        }
        if kindsChoice.contains("没收违法所得") || kindsChoice.contains("没收非法财物") {
            let fen = Int64(rng.int(10_000...5_000_000))
            o["confiscation_fen"] = .int(fen)
            content.append("没收违法所得及非法财物折合人民币\(fen / 100)元")
        }
        if kindsChoice.contains("吊销许可证件") {
            o["license_action"] = .string("吊销《食品经营许可证》（编号JY1\(rng.int(10000000...99999999))）")
            content.append("吊销许可证件")
        }
        if kindsChoice.contains("责令停产停业") { content.append("责令停产停业整顿") }
        if kindsChoice.contains("通报批评") { content.append("通报批评") }
        o["content"] = .string(content.joined(separator: "；") + "。")
        o["decision_date"] = .string(decision)
        o["valid_until"] = .string(rng.chance(0.2) ? "2099-12-31" : SampleData.date(daysAfter2022: day + 365 * 3))
        o["publicity_deadline"] = .string(SampleData.date(daysAfter2022: day + (kindsChoice == ["警告"] ? 90 : 365 * 3)))
        o["issuing_agency"] = agency
        o["status"] = "0"
        o["case_source"] = .string(rng.pick(["1", "2", "3", "5"]))
        o["matter_code"] = .string("\(place.code)-CF-\(rng.int(100...999))")
        return o
    }

    static func agencyRecord(_ place: SampleData.Place, _ dept: SampleData.Department, _ agency: JSONValue, _ rng: inout R) -> JSONObject {
        var o = JSONObject()
        o["name"] = agency["name"]!
        o["credit_code"] = agency["credit_code"]!
        o["agency_kind"] = "行政机关"
        o["enforcement_domains"] = [.string(dept.domain)]
        o["address"] = .string(place.name + "政务服务中心\(rng.int(1...20))号楼")
        o["phone"] = .string("010-\(rng.int(60000000...89999999))")
        return o
    }

    static func officer(_ place: SampleData.Place, _ dept: SampleData.Department, _ agency: JSONValue, _ serial: Int, _ day: Int, _ rng: inout R) -> JSONObject {
        var o = JSONObject()
        o["name"] = .string(SampleData.personName(&rng))
        o["certificate_number"] = .string("\(place.code.prefix(2))\(String(format3: serial % 1000))\(rng.int(100000...999999))")
        o["id_document"] = ["kind": "身份证", "number": .string(SampleData.residentID(&rng, region: place.code))]
        o["agency"] = agency
        o["enforcement_domains"] = [.string(dept.domain)]
        o["certificate_valid_from"] = .string(SampleData.date(daysAfter2022: day))
        o["certificate_valid_until"] = .string(SampleData.date(daysAfter2022: day + 365 * 5))
        o["on_duty"] = true
        return o
    }

    static func matter(_ place: SampleData.Place, _ dept: SampleData.Department, _ agency: JSONValue, _ serial: Int, _ day: Int, _ rng: inout R) -> JSONObject {
        let v = rng.pick(SampleData.violations)
        var o = JSONObject()
        o["code"] = .string("\(place.code)-CF-\(serial)")
        o["name"] = .string("对" + v.type + "的行政处罚")
        o["act_kind"] = "处罚"
        o["agency"] = agency
        o["legal_basis"] = .string(v.basis)
        o["discretion_standard"] = "首次违法且危害后果轻微并及时改正的，可以不予行政处罚；情节较重的，按上限的百分之七十以上处罚。"
        o["catalogue_version"] = .string("\(2022 + day / 365)版")
        o["effective_from"] = .string(SampleData.date(daysAfter2022: day))
        return o
    }

    static func inspection(_ place: SampleData.Place, _ dept: SampleData.Department, _ agency: JSONValue, _ serial: Int, _ day: Int, _ rng: inout R) -> JSONObject {
        var o = JSONObject()
        let kind = rng.pick(["01", "02", "02", "03"])
        o["inspection_number"] = .string("\(place.abbr)\(dept.short)检〔\(2022 + day / 365)〕\(serial)号")
        o["inspection_kind"] = .string(kind)
        o["agency"] = agency
        o["party"] = party(place, &rng)
        o["inspection_date"] = .string(SampleData.date(daysAfter2022: day))
        o["officers"] = officers(&rng)
        let problems = rng.chance(0.3)
        o["result"] = .string(problems ? "发现问题，已责令限期整改。" : "未发现问题。")
        o["problems_found"] = .bool(problems)
        if kind == "02" { o["random_task_number"] = .string("SSJ-\(place.code)-\(rng.int(1000...9999))") }
        return o
    }

    static func coercive(_ place: SampleData.Place, _ dept: SampleData.Department, _ agency: JSONValue, _ serial: Int, _ day: Int, _ rng: inout R) -> JSONObject {
        var o = JSONObject()
        o["document_number"] = .string("\(place.abbr)\(dept.short)强〔\(2022 + day / 365)〕\(serial)号")
        let measure = rng.pick(["查封场所、设施或者财物", "扣押财物", "冻结存款、汇款"])
        o["category"] = "行政强制措施"
        o["measure"] = .string(measure)
        o["agency"] = agency
        o["party"] = party(place, &rng)
        o["legal_basis"] = "《中华人民共和国行政强制法》第九条、第二十二条"
        o["reason"] = "涉嫌生产、销售不符合安全标准的产品，为防止证据损毁。"
        o["decision_date"] = .string(SampleData.date(daysAfter2022: day))
        o["start_date"] = .string(SampleData.date(daysAfter2022: day))
        o["end_date"] = .string(SampleData.date(daysAfter2022: day + 30))
        if measure != "冻结存款、汇款" {
            o["property_items"] = .array([["name": "涉案产品", "quantity": .string("\(rng.int(10...500))件"), "value_fen": .int(Int64(rng.int(10_000...9_000_000)))]])
        }
        return o
    }

    static func caseTransfer(_ place: SampleData.Place, _ dept: SampleData.Department, _ agency: JSONValue, _ serial: Int, _ day: Int, _ rng: inout R) -> JSONObject {
        var o = JSONObject()
        o["transfer_number"] = .string("\(place.abbr)\(dept.short)移〔\(2022 + day / 365)〕\(serial)号")
        o["transferring_agency"] = agency
        o["receiving_agency"] = ["name": .string(place.name.replacingLast("区", with: "") + "公安分局"), "credit_code": .string(SampleData.uscc(&rng, kind: "11", region: place.code))]
        o["parties"] = .array([party(place, &rng)])
        o["suspected_crime"] = .string(rng.pick(["生产、销售伪劣产品罪", "污染环境罪", "非法经营罪", "生产、销售不符合安全标准的食品罪"]))
        o["suspected_facts"] = "经查，当事人涉案货值金额超过五万元，涉嫌构成犯罪，依法移送。"
        o["transfer_date"] = .string(SampleData.date(daysAfter2022: day))
        o["materials"] = [
            ["kind": "移送书", "name": "涉嫌犯罪案件移送书", "pages": 2],
            ["kind": "调查报告", "name": "涉嫌犯罪案件调查报告", "pages": .int(Int64(rng.int(5...30)))],
            ["kind": "涉案物品清单", "name": "涉案物品清单"],
        ]
        if rng.chance(0.5) {
            o["stage"] = "公安立案"
            o["feedback"] = [
                "accepted_date": .string(SampleData.date(daysAfter2022: day + 3)),
                "decision": "立案",
                "decision_date": .string(SampleData.date(daysAfter2022: day + 10)),
                "decision_number": .string("\(place.abbr)公立字〔\(2022 + day / 365)〕\(serial)号"),
            ]
        } else {
            o["stage"] = "主动移送"
        }
        return o
    }

    static func lead(_ place: SampleData.Place, _ dept: SampleData.Department, _ agency: JSONValue, _ serial: Int, _ day: Int, _ rng: inout R) -> JSONObject {
        let v = rng.pick(SampleData.violations)
        var o = JSONObject()
        o["lead_number"] = .string("XS-\(place.code)-\(2022 + day / 365)-\(serial)")
        o["reporting_agency"] = agency
        o["case_source"] = .string(rng.pick(["2", "3", "5", "6"]))
        o["received_date"] = .string(SampleData.date(daysAfter2022: day))
        o["description"] = .string("群众反映" + SampleData.companyName(&rng, place: place) + "涉嫌" + v.type + "。")
        let status = rng.pick(["待核查", "核查中", "已立案", "已办结"])
        o["status"] = .string(status)
        if status == "已立案" || status == "已办结" {
            o["handling_agency"] = agency
            o["result"] = .string(status == "已立案" ? "经核查，线索属实，已立案调查。" : "经核查，已依法处理完毕。")
        }
        if status == "已办结" { o["closed_date"] = .string(SampleData.date(daysAfter2022: day + 20)) }
        return o
    }
}

extension String {
    func replacingLast(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}
