import Foundation
import HubReportAPI
import Testing

/// The signature base and ed25519 signature of RFC 9421 Appendix B.2.6, with the test key of B.1.4.
@Suite struct SignatureVectorTests {
    /// `test-key-ed25519`, PKCS#8 (RFC 9421 B.1.4): the last 32 bytes are the private key.
    static let privateKeyPKCS8 = "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF"
    /// Its public key, SubjectPublicKeyInfo (RFC 9421 B.1.4): the last 32 bytes are the key.
    static let publicKeySPKI = "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs="

    /// The test request of RFC 9421 B.2.
    static let request = RequestComponents(
        method: "POST", target: "/foo?param=Value&Pet=dog",
        headers: [
            HTTPField(name: "Host", value: "example.com"),
            HTTPField(name: "Date", value: "Tue, 20 Apr 2021 02:07:55 GMT"),
            HTTPField(name: "Content-Type", value: "application/json"),
            HTTPField(
                name: "Content-Digest",
                value:
                    "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
            ),
            HTTPField(name: "Content-Length", value: "18"),
        ])

    static let input = SignatureInput(
        components: ["date", "@method", "@path", "@authority", "content-type", "content-length"],
        parameters: [
            SignatureParameter("created", .integer(1_618_884_473)),
            SignatureParameter("keyid", .string("test-key-ed25519")),
        ])

    static let expectedBase = """
        "date": Tue, 20 Apr 2021 02:07:55 GMT
        "@method": POST
        "@path": /foo
        "@authority": example.com
        "content-type": application/json
        "content-length": 18
        "@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length")\
        ;created=1618884473;keyid="test-key-ed25519"
        """

    static let expectedSignature =
        "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="

    static func privateKey() throws -> HubPrivateKey {
        let der = try #require(Data(base64Encoded: privateKeyPKCS8))
        return try HubPrivateKey(rawRepresentation: der.suffix(32))
    }

    @Test func theSignatureBaseIsTheRFCs() throws {
        let base = try SignatureBase.build(Self.input, value: Self.request.value(of:))
        #expect(base == Self.expectedBase)
        #expect(!base.hasSuffix("\n"))
        #expect(
            try Self.input.serialized()
                == #"("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#
        )
    }

    @Test func theEd25519SignatureIsTheRFCs() throws {
        let key = try Self.privateKey()
        let spki = try #require(Data(base64Encoded: Self.publicKeySPKI))
        #expect(key.publicKey.rawRepresentation == spki.suffix(32))
        let signature = try key.signature(for: Array(Self.expectedBase.utf8))
        #expect(signature.base64EncodedString() == Self.expectedSignature)
        #expect(key.publicKey.isValidSignature(signature, for: Array(Self.expectedBase.utf8)))
        var changed = Array(Self.expectedBase.utf8)
        changed[changed.count - 2] ^= 1
        #expect(!key.publicKey.isValidSignature(signature, for: changed))
    }

    @Test func derivedComponentsFollowRFC9421() {
        let request = RequestComponents(method: "GET", target: "/path?param=value&foo=bar&baz=bat%2Dman", headers: [])
        #expect(request.value(of: "@path") == "/path")
        #expect(request.value(of: "@query") == "?param=value&foo=bar&baz=bat%2Dman")
        #expect(request.value(of: "@request-target") == "/path?param=value&foo=bar&baz=bat%2Dman")
        let bare = RequestComponents(method: "POST", target: "/", headers: [])
        #expect(bare.query == nil && bare.value(of: "@query") == "?")
        #expect(bare.value(of: "@unknown") == nil)
    }

    @Test func headerValuesAreTrimmedAndCombined() throws {
        let request = RequestComponents(
            method: "GET", target: "/",
            headers: [
                HTTPField(name: "X-Thing", value: "  one\t"), HTTPField(name: "x-thing", value: "two"),
                HTTPField(name: "X-Evil", value: "a\r\n\"@method\": GET"),
            ])
        #expect(request.value(of: "x-thing") == "one, two")
        #expect(request.value(of: "X-Thing") == nil, "component names are lower case")
        #expect(throws: SignatureBaseError.invalidValue("x-evil")) {
            try SignatureBase.build(SignatureInput(components: ["x-evil"], parameters: []), value: request.value(of:))
        }
        #expect(throws: SignatureBaseError.missingComponent("x-absent")) {
            try SignatureBase.build(SignatureInput(components: ["x-absent"], parameters: []), value: request.value(of:))
        }
    }
}
