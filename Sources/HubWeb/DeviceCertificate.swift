import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The TLS certificate a device makes for itself (P-256, ten years) the first time it serves HTTPS, kept beside
/// its key (mode 0600) and used again at every start. Browsers warn about it; staff check its fingerprint, printed
/// on the setup slip, against the one the browser shows.
public struct DeviceCertificate: Sendable {
    public let certificatePEM: String
    public let privateKeyPEM: String
    /// SHA-256 of the certificate's DER, as colon-separated hex pairs (what browsers show).
    public let fingerprint: String
    public let certificatePath: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads `folder/web-tls.crt` and `folder/web-tls.key`, or makes them for `names` (host names and IP
    /// addresses the certificate is for).
    public static func loadOrCreate(
        folder: String, commonName: String, names: [String]
    ) throws(Failure)
        -> DeviceCertificate
    {
        let certificatePath = (folder as NSString).appendingPathComponent("web-tls.crt")
        let keyPath = (folder as NSString).appendingPathComponent("web-tls.key")
        if let certificate = try? String(contentsOfFile: certificatePath, encoding: .utf8),
            let key = try? String(contentsOfFile: keyPath, encoding: .utf8)
        {
            do {
                return try DeviceCertificate(certificatePEM: certificate, privateKeyPEM: key, path: certificatePath)
            } catch {
                throw Failure(
                    description: "\(certificatePath) or \(keyPath) cannot be read (\(error)); remove both and start "
                        + "again to make a new certificate (its fingerprint changes)")
            }
        }
        do {
            let key = P256.Signing.PrivateKey()
            let name = try DistinguishedName {
                CommonName(String(commonName.prefix(64)))
                OrganizationName("HubKiosk")
            }
            var alternatives: [GeneralName] = []
            for entry in names {
                if let address = IPv4Address(entry) {
                    alternatives.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address.bytes))))
                } else if !entry.isEmpty {
                    alternatives.append(.dnsName(entry))
                }
            }
            let now = Date()
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternatives)
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-86_400),
                notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
                issuerPrivateKey: .init(key))
            let certificatePEM = try certificate.serializeAsPEM().pemString
            let keyPEM = key.pemRepresentation
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try write(keyPEM, to: keyPath, mode: 0o600)
            try write(certificatePEM, to: certificatePath, mode: 0o644)
            return try DeviceCertificate(certificatePEM: certificatePEM, privateKeyPEM: keyPEM, path: certificatePath)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "cannot make a TLS certificate in \(folder): \(error)")
        }
    }

    init(certificatePEM: String, privateKeyPEM: String, path: String) throws {
        let document = try PEMDocument(pemString: certificatePEM)
        _ = try Certificate(derEncoded: document.derBytes)
        _ = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        self.certificatePath = path
        self.fingerprint = SHA256.hash(data: document.derBytes).map { String(format: "%02X", $0) }.joined(
            separator: ":")
    }

    /// NIOSSL's server configuration for this certificate.
    public func serverConfiguration() throws -> TLSConfiguration {
        TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)))
    }

    static func write(_ text: String, to path: String, mode: mode_t) throws {
        do {
            try AtomicWrite.write(Array(text.utf8), to: path, mode: mode)
        } catch {
            throw Failure(description: error.description)
        }
    }
}

/// A dotted IPv4 address, for a certificate's names.
struct IPv4Address {
    let bytes: [UInt8]

    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        self.bytes = bytes
    }
}
