import Replication
import Standard
import Store
import JSONSchema

/// An operator's check of a node store, as `PRAGMA integrity_check` is of a
/// database: every record readable (vector, clock), its hash its body's (or
/// its masked list what explains the difference), its body valid against the
/// standard; the open conflict rows agreeing with the envelopes; the audit
/// chain intact. It reads and reports; it changes nothing.
public struct IntegrityCheck {
    public struct Report: Sendable {
        public var records = 0
        public var tombstones = 0
        public var masked = 0
        /// Records awaiting review (their envelope lists losing versions).
        public var awaitingReview = 0
        public var auditEntries = 0
        /// What is wrong, a line each, naming the record or entry.
        public var problems: [String] = []

        public var intact: Bool { problems.isEmpty }
    }

    let store: any ChangeLog & ReviewQueue & AuditLog
    let catalog: StandardCatalog

    public init(store: any ChangeLog & ReviewQueue & AuditLog, catalog: StandardCatalog) {
        self.store = store; self.catalog = catalog
    }

    public func run() throws -> Report {
        var report = Report()
        var listingLosers: Set<String> = []
        let envelopeSchema = catalog.schema(named: "envelope")!
        try store.scanRecords { read in
            report.records += 1
            let e: Envelope
            switch read {
            case .success(let v): e = v
            case .failure(let error):
                report.problems.append("\(error.description) (it cannot be read, sent or merged)")
                return
            }
            if e.deleted { report.tombstones += 1 }
            if !e.masked.isEmpty { report.masked += 1 }
            if !e.conflicts.isEmpty { listingLosers.insert(e.id) }
            report.problems += problems(of: e, envelopeSchema)
        }
        report.awaitingReview = listingLosers.count
        let open: [ConflictEntry]
        do { open = try store.conflicts(openOnly: true) } catch {
            report.problems.append("the open conflicts cannot be read (`hutong conflicts list` fails too): \(error)")
            open = []
        }
        for c in open where !listingLosers.contains(c.recordID) {
            report.problems.append("conflict \(c.id) on record \(c.recordID) is open, but the record lists no losing versions: it was settled (other nodes show it settled)")
        }
        let withRows = Set(open.map(\.recordID))
        for id in listingLosers.sorted() where !withRows.contains(id) {
            report.problems.append("record \(id) lists losing versions awaiting review, but no open conflict shows it (`hutong conflicts list` misses it)")
        }
        switch try store.verifyAudit() {
        case .intact(let n): report.auditEntries = n
        case .broken(let seq, let why): report.problems.append("audit log broken at entry \(seq): \(why)")
        }
        return report
    }

    /// What is wrong with one readable record.
    func problems(of e: Envelope, _ envelopeSchema: JSONSchema) -> [String] {
        guard let rt = catalog.recordTypes[e.type] else { return ["record \(e.id): unknown record type \"\(e.type)\""] }
        var found: [String] = []
        if e.masked.isEmpty {
            if ContentHash.of(e.body) != e.hash { found.append("record \(e.id) (\(e.type)): its hash \(e.hash.prefix(12))… is not its body's") }
        } else if let why = rt.maskingProblem(e.masked, body: e.body) {
            found.append("record \(e.id) (\(e.type)): \(why)")
        }
        let maskedLocations = Set(e.masked.map { "/body" + $0 })
        let issues = envelopeSchema.validate(e.json).filter { $0.severity == .error && !maskedLocations.contains($0.instanceLocation) }
        if !issues.isEmpty {
            found.append("record \(e.id) (\(e.type)): not valid: " + issues.prefix(3).map { "\($0.instanceLocation): \($0.message)" }.joined(separator: "; "))
        }
        return found
    }
}
