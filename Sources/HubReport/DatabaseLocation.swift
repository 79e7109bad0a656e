import Foundation
import Logging

/// Which engine and where: what `--database` and `[service] database` name, parsed once at the edge.
///
/// `postgres://…` or `postgresql://…` is PostgreSQL (see ``PostgresLocation``); anything else is the path of an
/// SQLite file, optionally written `sqlite:PATH`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// Parses `text`; a relative SQLite path stays relative (to the working directory).
    public init(parsing text: String) throws(ReportStoreError) {
        if PostgresLocation.isURL(text) {
            self = .postgres(try PostgresLocation(parsing: text))
            return
        }
        var path = text
        if path.hasPrefix("sqlite://") {
            path.removeFirst("sqlite://".count)
        } else if path.hasPrefix("sqlite:") {
            path.removeFirst("sqlite:".count)
        }
        guard !path.isEmpty else {
            throw ReportStoreError(
                code: .invalidValue, database: text,
                message: "names no file (an SQLite path, or postgres://USER@HOST:PORT/DATABASE)")
        }
        self = .sqlite(path: path)
    }

    /// The path, or the URL without its password.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let location): return location.description
        }
    }

    /// Runs `body` with the store opened (its schema migrated); closes it when `body` returns or throws.
    public func withStore<T: Sendable>(
        logger: Logger, _ body: (any ReportStore & ReportAccounts) async throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite(let path):
            let store = try SQLiteReportStore(path: path)
            do {
                let result = try await body(store)
                try store.close()
                return result
            } catch {
                try? store.close()
                throw error
            }
        case .postgres(let location):
            return try await PostgresReportStore.withStore(location, logger: logger) { try await body($0) }
        }
    }
}
