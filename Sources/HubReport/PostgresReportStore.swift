import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The ``ReportStore`` in PostgreSQL (postgres-nio), for a partnership that outgrows one machine.
///
/// The same semantics as ``SQLiteReportStore``: one transaction per method, the schema migrated on start
/// (`hubreport_migration` records the versions applied), a merge serialised per hub by locking its row. Use it
/// through ``withStore(_:logger:_:)``, which runs the connection pool for as long as its body runs.
public final class PostgresReportStore: Sendable {
    public let location: PostgresLocation
    let client: PostgresClient
    /// For the migration at start: one connection, which fails at once when the server cannot be reached (the pool
    /// would retry for a minute).
    let connectionConfiguration: PostgresConnection.Configuration
    let logger: Logger

    init(location: PostgresLocation, logger: Logger) throws(ReportStoreError) {
        self.location = location
        self.logger = logger
        let tls: PostgresClient.Configuration.TLS
        let connectionTLS: PostgresConnection.Configuration.TLS
        switch location.tls {
        case .disable: (tls, connectionTLS) = (.disable, .disable)
        case .prefer, .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let file = location.rootCertificate {
                guard FileManager.default.isReadableFile(atPath: file) else {
                    throw ReportStoreError(
                        code: .invalidValue, database: location.description,
                        message: "sslrootcert \(file) does not exist or cannot be read")
                }
                configuration.trustRoots = .file(file)
            }
            tls = location.tls == .require ? .require(configuration) : .prefer(configuration)
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: configuration)
            } catch {
                throw ReportStoreError(
                    code: .invalidValue, database: location.description,
                    message: "cannot set up TLS to PostgreSQL (\(error)); check sslrootcert")
            }
            connectionTLS = location.tls == .require ? .require(context) : .prefer(context)
        }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.additionalStartupParameters = [("search_path", location.schema)]
        configuration.options.maximumConnections = 8
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        var single = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: connectionTLS)
        single.options.additionalStartupParameters = [("search_path", location.schema)]
        connectionConfiguration = single
    }

    /// Runs `body` with a store connected to `location`, its schema brought up to date; the connections close when
    /// `body` returns or throws.
    public static func withStore<T: Sendable>(
        _ location: PostgresLocation, logger: Logger, _ body: (PostgresReportStore) async throws -> T
    ) async throws -> T {
        let store = try PostgresReportStore(location: location, logger: logger)
        try await store.migrate()
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    /// Runs `body` in one transaction: READ COMMITTED for writers, which lock the rows they depend on (always a
    /// hub's row before its codes or buckets, so two writers never wait for each other in a circle); with
    /// `snapshot`, REPEATABLE READ, READ ONLY, so that a read of several statements sees one state, as SQLite's does.
    func transaction<T: Sendable>(
        snapshot: Bool = false, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws(ReportStoreError) -> T {
        let logger = self.logger
        do {
            return try await client.withTransaction(logger: logger) { connection in
                if snapshot {
                    try await connection.run(
                        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                }
                return try await body(connection)
            }
        } catch {
            throw ReportStoreError(postgres: error, database: location.description)
        }
    }

    /// Runs one statement outside a transaction.
    func run(_ query: PostgresQuery) async throws(ReportStoreError) -> [PostgresRow] {
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw ReportStoreError(postgres: error, database: location.description)
        }
    }
}

extension PostgresConnection {
    /// Every row of `query`.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// Runs `query`, discarding any rows.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}

extension ReportStoreError {
    /// The store error for a postgres-nio error, with the server's SQLSTATE turned into a code.
    init(postgres error: any Error, database: String) {
        if let error = error as? ReportStoreError {
            self = error
            return
        }
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError {
                self.init(postgres: inner, database: database)
            } else {
                self.init(code: .other, database: database, message: String(reflecting: transaction))
            }
            return
        }
        guard let error = error as? PSQLError else {
            // The pool's errors (its type is not public): it could not connect, or was shut down.
            let unreachable = String(reflecting: type(of: error)).contains("ConnectionPoolError")
            self.init(
                code: unreachable ? .unreachable : .other, database: database,
                message: unreachable ? "PostgreSQL does not answer (\(error))" : "\(error)")
            return
        }
        guard let state = error.serverInfo?[.sqlState] else {
            let unreachable: Set<PSQLError.Code> = [
                .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .sslUnsupported,
                .uncleanShutdown,
            ]
            let reason = error.underlying.map { "\($0)" } ?? "\(error.code)"
            self.init(
                code: unreachable.contains(error.code) ? .unreachable : .other, database: database,
                message: "PostgreSQL: \(reason)")
            return
        }
        let code: Code
        switch state {
        case "53100": code = .full
        case "XX001", "XX002": code = .corrupt
        case "25006", "42501": code = .readOnly
        case "40001", "40P01", "55P03", "57014": code = .busy
        case let state
        where state.hasPrefix("08") || state == "57P01" || state == "57P03" || state.hasPrefix("28")
            || state == "3D000":
            code = .unreachable
        default: code = .other
        }
        let message = error.serverInfo?[.message] ?? "SQLSTATE \(state)"
        self.init(code: code, database: database, message: "PostgreSQL: \(message) (SQLSTATE \(state))")
    }
}
