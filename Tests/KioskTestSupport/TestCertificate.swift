import Foundation

/// Runs `script` with /bin/sh in `directory` (for the openssl CLI), off the cooperative pool; its standard output.
public func shell(_ script: String, in directory: String) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(
                with: Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/sh")
                    process.arguments = ["-c", script]
                    process.currentDirectoryURL = URL(fileURLWithPath: directory)
                    let out = Pipe()
                    process.standardOutput = out
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    let data = out.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    guard process.terminationStatus == 0 else { throw ShellFailure(script: script) }
                    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                })
        }
    }
}

public struct ShellFailure: Error, CustomStringConvertible {
    public var script: String
    public var description: String { "failed: \(script)" }
}

/// A self-signed certificate for localhost and 127.0.0.1, made by the openssl CLI in a temporary folder.
public struct TestCertificate: Sendable {
    public let folder: TemporaryDirectory
    public var certificate: String { folder.file("cert.pem") }
    public var key: String { folder.file("key.pem") }

    public static func make(
        keyType: String = "ec -pkeyopt ec_paramgen_curve:prime256v1"
    ) async throws -> TestCertificate {
        let folder = TemporaryDirectory()
        _ = try await shell(
            """
            openssl req -x509 -newkey \(keyType) -nodes -keyout key.pem -out cert.pem -days 2 -subj /CN=localhost \
            -addext subjectAltName=DNS:localhost,IP:127.0.0.1
            """, in: folder.path)
        return TestCertificate(folder: folder)
    }

    /// The pin as openssl computes it (what an administrator would type by hand).
    public func opensslPin() async throws -> String {
        let digest = try await shell(
            "openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der "
                + "| openssl dgst -sha256 -binary | base64", in: folder.path)
        return "sha256/" + digest
    }
}
