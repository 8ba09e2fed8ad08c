import JSON

/// Known ways to make a valid record invalid, each breaking one rule of the standard.
enum SampleDefects {
    static func apply(to o: inout JSONObject, type: String, _ rng: inout SplitMix64) -> SampleGenerator.Defect {
        var options: [(inout JSONObject) -> SampleGenerator.Defect?] = [
            { o in
                o["updated_at"] = .string("2024/05/01 10:00")
                return .init(rule: "更新时间 must be an RFC 3339 date-time", instanceLocation: "/updated_at")
            },
            { o in
                o["usage_scope"] = "3"
                return .init(rule: "信息使用范围 must be 0, 1 or 2", instanceLocation: "/usage_scope")
            },
            { o in
                o["penalty_amount_yuan"] = 200
                return .init(rule: "no fields outside the standard", instanceLocation: "/penalty_amount_yuan")
            },
            { o in
                guard case .string(let code)? = o["source_agency"]?["credit_code"] else { return nil }
                var agency = o["source_agency"]!.objectValue!
                agency["credit_code"] = .string(String(code.prefix(8)) + "O" + String(code.dropFirst(9)))
                o["source_agency"] = .object(agency)
                return .init(rule: "统一社会信用代码 never contains the letter O", instanceLocation: "/source_agency/credit_code")
            },
            { o in
                o["region"] = "990101"
                return .init(rule: "行政区划代码 starts with a real province code", instanceLocation: "/region")
            },
        ]
        if type == "penalty" {
            options += [
                { o in
                    guard o["penalty_kinds"]?.arrayValue?.contains("罚款") == true else { return nil }
                    o["fine_fen"] = nil
                    return .init(rule: "a penalty that includes 罚款 must give 罚款金额", instanceLocation: "")
                },
                { o in
                    o["decision_date"] = .string("2024年5月1日")
                    return .init(rule: "处罚决定日期 is an ISO date", instanceLocation: "/decision_date")
                },
                { o in
                    o["publicity_deadline"] = "2021-01-01"
                    return .init(rule: "公示截止期 is not before the decision date", instanceLocation: "/publicity_deadline")
                },
                { o in
                    o["penalty_kinds"] = ["罚金"]
                    o["fine_fen"] = nil
                    return .init(rule: "处罚类别 comes from the 2021 list of 行政处罚法 第九条", instanceLocation: "/penalty_kinds/0")
                },
                { o in
                    guard o["fine_fen"] != nil else { return nil }
                    o["fine_fen"] = -20000
                    return .init(rule: "罚款金额 is not negative", instanceLocation: "/fine_fen")
                },
                { o in
                    guard o["party"]?["kind"] == "自然人", var party = o["party"]?.objectValue else { return nil }
                    party["id_document"] = nil
                    o["party"] = .object(party)
                    return .init(rule: "a natural person needs an identity document", instanceLocation: "/party")
                },
                { o in
                    guard case .string(let id)? = o["party"]?["legal_representative"]?["id_document"]?["number"] ?? o["party"]?["id_document"]?["number"],
                          var party = o["party"]?.objectValue else { return nil }
                    let last = id.last == "0" ? "1" : "0"
                    let wrong = JSONValue.string(String(id.dropLast()) + last)
                    if var rep = party["legal_representative"]?.objectValue {
                        rep["id_document"] = ["kind": "身份证", "number": wrong]
                        party["legal_representative"] = .object(rep)
                        o["party"] = .object(party)
                        return .init(rule: "公民身份号码 check character", instanceLocation: "/party/legal_representative/id_document/number")
                    }
                    party["id_document"] = ["kind": "身份证", "number": wrong]
                    o["party"] = .object(party)
                    return .init(rule: "公民身份号码 check character", instanceLocation: "/party/id_document/number")
                },
            ]
        }
        while true {
            let f = rng.pick(options)
            if let d = f(&o) { return d }
        }
    }
}
