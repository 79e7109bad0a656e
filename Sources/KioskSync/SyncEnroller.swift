import Foundation
import HubReportAPI
import NIOSSL

/// `hubkiosk sync enrol`: makes the hub's key pair, registers the public key with the one-time code, and records the
/// service and how to trust it. Nothing is written until the service accepted the code.
public struct SyncEnroller: Sendable {
    /// How the administrator said to trust the service.
    public enum TrustChoice: Sendable, Equatable {
        /// Neither `--ca` nor `--pin`: allowed only for `http://` to loopback.
        case none
        case certificateAuthority(path: String)
        case pin(String)
    }

    public let files: SyncFiles
    public let version: String

    public init(files: SyncFiles, version: String) {
        self.files = files
        self.version = version
    }

    /// Enrols with `service` using `code`. `replace` allows replacing an existing enrolment (its key is discarded).
    /// `owner`: who should own the files (the daemon's user when run as root).
    public func enrol(
        service: String, code: String, trust choice: TrustChoice, replace: Bool, owner: (uid_t, gid_t)?,
        now: Date = Date()
    ) async throws(SyncSetupError) -> SyncEnrolment {
        if !replace, let existing = try? files.enrolment() {
            throw SyncSetupError(
                "this kiosk is already enrolled as hub \(existing.hubID) with \(existing.service); to enrol it again "
                    + "(its key is replaced), add --replace")
        }
        let address = try ServiceAddress(service)
        let trimmedCode = code.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedCode.isEmpty else {
            throw SyncSetupError("the enrolment code is empty: give the code hubreport hub add printed")
        }
        // The trust material goes to a scratch folder first; it joins the enrolment once the service said yes.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hubkiosk-enrol-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let trust: SyncTrust
        var extraFiles: [String: Data] = [:]
        var requestTrust: SyncTrust
        switch choice {
        case .none:
            guard !address.isSecure else {
                throw SyncSetupError(
                    "\(address) is https: say whom to trust with --ca FILE (the CA that issued the service's "
                        + "certificate; /etc/ssl/certs/ca-certificates.crt trusts the system's store) or --pin "
                        + "sha256/… (hubreport tls pin prints it)")
            }
            trust = .loopback
            requestTrust = .loopback
        case .certificateAuthority(let path):
            guard address.isSecure else { throw SyncSetupError("--ca is for an https:// service") }
            let pem: Data
            do {
                pem = try Data(contentsOf: URL(fileURLWithPath: path))
                guard !(try NIOSSLCertificate.fromPEMBytes(Array(pem))).isEmpty else {
                    throw SyncSetupError("no certificate in it")
                }
            } catch {
                throw SyncSetupError("\(path) is not a readable PEM file of CA certificates (\(error))")
            }
            extraFiles["ca.pem"] = pem
            trust = .certificateAuthority(file: "ca.pem")
            requestTrust = .certificateAuthority(file: path)
        case .pin(let pin):
            guard address.isSecure else { throw SyncSetupError("--pin is for an https:// service") }
            try Self.checkPin(pin)
            let certificate = try await fetchPinnedCertificate(address: address, pin: pin)
            let pem = try Self.pem(certificate)
            let scratchFile = scratch.appendingPathComponent("pinned.pem").path
            _ = FileManager.default.createFile(atPath: scratchFile, contents: pem)
            extraFiles["pinned.pem"] = pem
            trust = .pinned(pin: pin, file: "pinned.pem")
            requestTrust = .pinned(pin: pin, file: scratchFile)
        }
        let transport = try SyncTransport(address: address, trust: requestTrust, files: files)
        let key = HubPrivateKey()
        let request = EnrolmentRequest(code: trimmedCode, publicKey: key.publicKey.base64, kioskVersion: version)
        let body: Data
        do {
            body = try HubReportJSON.encode(request)
        } catch {
            throw SyncSetupError("cannot encode the enrolment: \(error)")
        }
        let response: SyncResponse
        do {
            response = try await transport.send(
                method: "POST", path: "/v1/enrol", headers: [("Content-Type", HubReportJSON.mediaType)], body: body)
        } catch {
            await transport.shutdown()
            throw SyncSetupError(error.description)
        }
        await transport.shutdown()
        guard (200..<300).contains(response.status) else {
            if let problem = try? JSONDecoder().decode(ProblemDetails.self, from: response.body) {
                throw SyncSetupError("the service refused the enrolment: \(problem.detail) (\(problem.whatToDo))")
            }
            throw SyncSetupError("the service refused the enrolment (HTTP \(response.status))")
        }
        let answer: EnrolmentResponse
        do {
            answer = try HubReportJSON.decode(EnrolmentResponse.self, from: response.body)
        } catch {
            throw SyncSetupError("the service's answer to the enrolment could not be read: \(error.detail)")
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let enrolment = SyncEnrolment(
            service: address.description, hubID: answer.hubID, hubName: answer.hubName,
            partnership: answer.partnership, trust: trust, enrolledAt: formatter.string(from: now))
        try files.save(enrolment, key: key, extraFiles: extraFiles, owner: owner)
        return enrolment
    }

    /// `sha256/` and the base64 of 32 bytes.
    static func checkPin(_ pin: String) throws(SyncSetupError) {
        guard pin.hasPrefix("sha256/"), let bytes = Data(base64Encoded: String(pin.dropFirst(7))), bytes.count == 32
        else {
            throw SyncSetupError(
                "\"\(pin)\" is not a pin: give it as sha256/ and the base64 of the SHA-256 of the service's public "
                    + "key (44 characters), as hubreport tls pin prints it")
        }
    }

    static func pem(_ certificate: NIOSSLCertificate) throws(SyncSetupError) -> Data {
        do {
            let der = try certificate.toDERBytes()
            let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            return Data("-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n".utf8)
        } catch {
            throw SyncSetupError("cannot keep the service's certificate: \(error)")
        }
    }
}
