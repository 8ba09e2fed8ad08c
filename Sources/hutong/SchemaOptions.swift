import ArgumentParser
import Foundation
import Node
import Standard

/// Where the standard's schemas are, for commands that need them.
struct SchemaOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of the standard's schemas (default: HUTONG_SCHEMAS, the installed copy, or Schemas/ of the source tree).", valueName: "dir"))
    var schemas: String?

    func directory() throws -> URL {
        if let schemas { return URL(fileURLWithPath: schemas) }
        guard let found = StandardCatalog.locate() else {
            throw CommandFailure(code: ExitStatus.usage, message: "cannot find the standard's schemas; pass --schemas DIR or set HUTONG_SCHEMAS to the Schemas/ directory")
        }
        return found
    }

    func loadCatalog() throws -> StandardCatalog {
        let dir = try directory()
        do { return try Node.loadCatalog(dir) } catch { throw CommandFailure(error) }
    }
}
