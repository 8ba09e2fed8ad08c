import Foundation
import HutongTesting
import Replication
import Standard
import Store
import Testing
@testable import Transport
import JSON

@Suite struct AccessTests {
    typealias F = TransportFixtures

    @Test func personalFieldsAreMaskedAndListed() throws {
        let fields = F.catalog.recordTypes["penalty"]!.personalFields
        var sawPerson = false, sawOrganisation = false
        for e in try F.envelopes("penalty", 60, seed: 3) {
            let m = Masking.mask(e, fields: fields)
            #expect(m.hash == e.hash && m.vv == e.vv)
            let party = e.body["party"]!
            if party["kind"]?.stringValue == "自然人" {
                sawPerson = true
                #expect(m.masked.contains("/party/name") && m.body["party"]?["name"]?.stringValue?.contains("*") == true)
            } else {
                sawOrganisation = true
                // An organisation's name is public; its legal representative is a person.
                #expect(!m.masked.contains("/party/name") && m.body["party"]?["name"] == party["name"])
                if party["legal_representative"] != nil { #expect(m.masked.contains("/party/legal_representative/name")) }
            }
            #expect(!JSONWriter.string(m.body).contains(e.body["party"]?["id_document"]?["number"]?.stringValue ?? "\u{0}"))
        }
        #expect(sawPerson && sawOrganisation)
    }

    @Test func grantsAreDeniedByDefaultAndHoldRegions() {
        let body: JSONValue = ["region": "310115", "remarks": "x"]
        #expect(!PeerGrants.none.allows(PeerGrants.none.pull, type: "penalty", body: body))
        let g = PeerGrants(pull: ["penalty"], regions: ["31"])
        #expect(g.allows(g.pull, type: "penalty", body: body))
        #expect(!g.allows(g.pull, type: "penalty", body: ["region": "110105"]))
        #expect(!g.allows(g.pull, type: "case_transfer", body: body))
        #expect(!g.allows(g.push, type: "penalty", body: body))
        #expect(g.allows(g.pull, type: "penalty", body: [:]))  // a tombstone: the type decides
        #expect(PeerGrants(json: g.json) == g && PeerGrants(text: g.text) == g)
    }

    @Test func wideningIsToldFromNarrowing() {
        let g = PeerGrants(pull: ["penalty"], push: ["violation_lead"], regions: ["31"])
        var wider = g
        wider.pull.insert("case_transfer")
        #expect(wider.widens(g, pulling: true) && !wider.widens(g, pulling: false))
        #expect(!g.widens(wider, pulling: true))                      // narrowing owes nothing
        var personal = g
        personal.personal = true
        #expect(personal.widens(g, pulling: true) && !personal.widens(g, pulling: false))
        var regions = g
        regions.regions = ["31", "32"]
        #expect(regions.widens(g, pulling: true) && regions.widens(g, pulling: false))
        regions.regions = ["3101"]                                     // inside the old prefix
        #expect(!regions.widens(g, pulling: true))
        regions.regions = []                                           // every region
        #expect(regions.widens(g, pulling: true) && !g.widens(regions, pulling: true))
    }
}
