import Foundation
import HubReportAPI
import KioskRuntime

/// How the kiosk trusts the service it syncs to. Never the system's certificate store by default: a proxy with a
/// certificate from it could read the sync.
public enum SyncTrust: Sendable, Equatable {
    /// Plain HTTP, allowed only to a loopback address (development, tests, a service on the same machine).
    case loopback
    /// Certificates issued by the CAs in this PEM file (copied into the state directory at enrolment).
    case certificateAuthority(file: String)
    /// The service's own certificate, whose public key has this pin (`sha256/BASE64` of its SubjectPublicKeyInfo);
    /// the certificate seen at enrolment is kept in `file` and is the only trust root.
    case pinned(pin: String, file: String)
}

/// What `hubkiosk sync enrol` recorded: which service, which hub, and how to trust it. Kept in
/// `<state>/sync/enrolment.json`; the private key is beside it in `hub.key` (mode 0600).
public struct SyncEnrolment: Codable, Sendable, Equatable {
    /// The service's base address, like `https://report.example.org:8443`.
    public var service: String
    public var hubID: String
    public var hubName: String
    public var partnership: String
    public var trust: SyncTrust
    /// When the kiosk enrolled (RFC 3339, UTC).
    public var enrolledAt: String

    public init(
        service: String, hubID: String, hubName: String, partnership: String, trust: SyncTrust, enrolledAt: String
    ) {
        self.service = service
        self.hubID = hubID
        self.hubName = hubName
        self.partnership = partnership
        self.trust = trust
        self.enrolledAt = enrolledAt
    }

    enum CodingKeys: String, CodingKey {
        case service
        case hubID = "hub_id"
        case hubName = "hub_name"
        case partnership, trust
        case caFile = "ca_file"
        case pin
        case pinnedCertificate = "pinned_certificate"
        case enrolledAt = "enrolled_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        service = try container.decode(String.self, forKey: .service)
        hubID = try container.decode(String.self, forKey: .hubID)
        hubName = try container.decode(String.self, forKey: .hubName)
        partnership = try container.decode(String.self, forKey: .partnership)
        enrolledAt = try container.decode(String.self, forKey: .enrolledAt)
        switch try container.decode(String.self, forKey: .trust) {
        case "loopback": trust = .loopback
        case "ca": trust = .certificateAuthority(file: try container.decode(String.self, forKey: .caFile))
        case "pin":
            trust = .pinned(
                pin: try container.decode(String.self, forKey: .pin),
                file: try container.decode(String.self, forKey: .pinnedCertificate))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .trust, in: container, debugDescription: "\"\(other)\" is not loopback, ca or pin")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(service, forKey: .service)
        try container.encode(hubID, forKey: .hubID)
        try container.encode(hubName, forKey: .hubName)
        try container.encode(partnership, forKey: .partnership)
        switch trust {
        case .loopback:
            try container.encode("loopback", forKey: .trust)
        case .certificateAuthority(let file):
            try container.encode("ca", forKey: .trust)
            try container.encode(file, forKey: .caFile)
        case .pinned(let pin, let file):
            try container.encode("pin", forKey: .trust)
            try container.encode(pin, forKey: .pin)
            try container.encode(file, forKey: .pinnedCertificate)
        }
        try container.encode(enrolledAt, forKey: .enrolledAt)
    }
}

/// A problem with the sync's set-up (enrolment files, the address, trust): says what is wrong and what to do.
public struct SyncSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The sync's files in the state directory: `<state>/sync/` (mode 0750) with `enrolment.json`, `hub.key` (0600),
/// `ca.pem` or `pinned.pem`, and `status.json` (the daemon's last status).
public struct SyncFiles: Sendable {
    public let directory: String

    public init(stateDirectory: String) {
        directory = (stateDirectory as NSString).appendingPathComponent("sync")
    }

    public var enrolmentPath: String { path("enrolment.json") }
    public var keyPath: String { path("hub.key") }
    public var statusPath: String { path("status.json") }

    public func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// The enrolment, or nil when the kiosk was never enrolled.
    public func enrolment() throws(SyncSetupError) -> SyncEnrolment? {
        guard FileManager.default.fileExists(atPath: enrolmentPath) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: enrolmentPath))
            return try JSONDecoder().decode(SyncEnrolment.self, from: data)
        } catch {
            throw SyncSetupError(
                "\(enrolmentPath) cannot be read (\(error)); enrol again: hubkiosk sync enrol URL CODE")
        }
    }

    /// The hub's private key.
    public func privateKey() throws(SyncSetupError) -> HubPrivateKey {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: keyPath))
            guard
                let raw = Data(
                    base64Encoded: String(decoding: data, as: UTF8.self).trimmingCharacters(
                        in: .whitespacesAndNewlines)), raw.count == 32
            else { throw SyncSetupError("not a key") }
            return try HubPrivateKey(rawRepresentation: raw)
        } catch {
            throw SyncSetupError(
                "the hub's key \(keyPath) cannot be read (\(error)); enrol again: hubkiosk sync enrol URL CODE")
        }
    }

    /// Writes the enrolment and the key (the key first, mode 0600; each file written whole, then renamed in).
    /// `owner` (uid, gid), when given, becomes the owner of the folder and files: the daemon's user, when an
    /// administrator enrols as root.
    public func save(
        _ enrolment: SyncEnrolment, key: HubPrivateKey, extraFiles: [String: Data] = [:], owner: (uid_t, gid_t)?
    ) throws(SyncSetupError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chmod(directory, 0o750)
            if let owner { chown(directory, owner.0, owner.1) }
            try write(Data(key.secretBytes.base64EncodedString().utf8), to: keyPath, mode: 0o600, owner: owner)
            for (name, data) in extraFiles { try write(data, to: path(name), mode: 0o640, owner: owner) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try write(try encoder.encode(enrolment), to: enrolmentPath, mode: 0o640, owner: owner)
        } catch let error as SyncSetupError {
            throw error
        } catch {
            throw SyncSetupError("cannot write the enrolment into \(directory): \(error)")
        }
    }

    /// Writes the daemon's status (best effort: a status that cannot be written is only logged by the caller).
    public func saveStatus(_ data: Data) throws(SyncSetupError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try write(data, to: statusPath, mode: 0o640, owner: nil)
        } catch let error as SyncSetupError {
            throw error
        } catch {
            throw SyncSetupError("cannot write \(statusPath): \(error)")
        }
    }

    /// Writes `data` whole or not at all (``AtomicFile``).
    func write(_ data: Data, to target: String, mode: mode_t, owner: (uid_t, gid_t)?) throws(SyncSetupError) {
        do {
            try AtomicFile.write(data, to: target, mode: mode, owner: owner)
        } catch {
            throw SyncSetupError(error.description)
        }
    }
}
