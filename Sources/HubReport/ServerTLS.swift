import Crypto
import Foundation
import NIOSSL

/// HTTPS for `hubreport serve`: a certificate chain and its private key, both PEM files, loaded and checked at
/// start-up so that a bad file is named before the service listens.
public struct ServerTLS: Sendable {
    public var certificateFile: String
    public var keyFile: String
    /// The server configuration (TLS 1.2 or later, NIOSSL's default ciphers).
    public let configuration: TLSConfiguration

    /// Reads and checks both files; the error names the file and the option (or configuration key) it came from.
    public init(
        certificateFile: String, keyFile: String, certificateOption: String = "--tls-cert",
        keyOption: String = "--tls-key"
    ) throws(ServerTLSError) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        try Self.checkReadable(certificateFile, option: certificateOption)
        try Self.checkReadable(keyFile, option: keyOption)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw ServerTLSError("\(certificateOption) \(certificateFile) is not a PEM certificate (\(error))")
        }
        guard !chain.isEmpty else {
            throw ServerTLSError("\(certificateOption) \(certificateFile) holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw ServerTLSError("\(keyOption) \(keyFile) is not a PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerTLSError(
                "\(keyOption) \(keyFile) does not go with \(certificateOption) \(certificateFile) (\(error)); "
                    + "pass the key the certificate was made for")
        }
        self.configuration = configuration
    }

    static func checkReadable(_ file: String, option: String) throws(ServerTLSError) {
        guard FileManager.default.fileExists(atPath: file) else {
            throw ServerTLSError("\(option) \(file) does not exist")
        }
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw ServerTLSError("\(option) \(file) cannot be read; check that hubreport's user may read it")
        }
    }

    /// The pin a kiosk passes to `hubkiosk sync enrol URL CODE --pin …`: `sha256/` and the base64 of the SHA-256 of
    /// the certificate's SubjectPublicKeyInfo (DER), like HPKP and curl's `--pinnedpubkey`. The first certificate of
    /// `pem` (the server's own, in a chain) is the one pinned.
    public static func pin(certificatePEM pem: String, file: String) throws(ServerTLSError) -> String {
        do {
            let certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
            guard let first = certificates.first else {
                throw ServerTLSError("\(file) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
            }
            let spki = try first.extractPublicKey().toSPKIBytes()
            return "sha256/" + Data(SHA256.hash(data: spki)).base64EncodedString()
        } catch let error as ServerTLSError {
            throw error
        } catch {
            throw ServerTLSError("\(file) is not a PEM certificate (\(error))")
        }
    }
}

/// Why the service's certificate or key cannot be used: the message names the file and what to do.
public struct ServerTLSError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
