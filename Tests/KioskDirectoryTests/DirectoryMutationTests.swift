import Foundation
import KioskCore
import KioskDirectory
import KioskTestSupport
import Testing

/// Random damage to a real directory: the decoder reports it as problems with a line inside the file, and never
/// traps or returns a service it could not identify.
@Suite("Damaged directories")
struct DirectoryMutationTests {
    static func example() throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Simulator/directory.json")
        return Array(try Data(contentsOf: url))
    }

    /// Checks what any decode must hold, whatever the input.
    @discardableResult
    static func checkInvariants(_ bytes: [UInt8], _ label: String) -> DirectoryDecoder.Result {
        let lines = bytes.filter { $0 == 0x0A }.count + 1
        let result = DirectoryDecoder().decode(bytes)
        for problem in result.problems {
            #expect(!problem.message.isEmpty, "\(label)")
            if let line = problem.line { #expect((1...lines).contains(line), "\(label): \(problem)") }
        }
        #expect(result.directory.services.allSatisfy { !$0.id.isEmpty && !$0.name.isEmpty }, "\(label)")
        #expect(Set(result.directory.services.map(\.id)).count == result.directory.services.count, "\(label)")
        return result
    }

    @Test("Every field's value replaced by numbers no Int holds")
    func valuesReplacedByHugeNumbers() throws {
        let bytes = try Self.example()
        let text = String(decoding: bytes, as: UTF8.self)
        // The first text or number value of every field name in the file.
        let regex = try NSRegularExpression(pattern: #""([A-Za-z_0-9]+)"\s*:\s*("[^"]*"|-?[0-9][0-9.eE+-]*)"#)
        var firstOfEachField: [String: NSRange] = [:]
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let key = Range(match.range(at: 1), in: text).map({ String(text[$0]) }) else { continue }
            if firstOfEachField[key] == nil { firstOfEachField[key] = match.range(at: 2) }
        }
        #expect(firstOfEachField.count >= 20)
        var errorsFound = 0
        for (key, range) in firstOfEachField.sorted(by: { $0.key < $1.key }) {
            for replacement in ["1e999", "-9223372036854775809"] {
                guard let swiftRange = Range(range, in: text) else { continue }
                var damaged = text
                damaged.replaceSubrange(swiftRange, with: replacement)
                if !Self.checkInvariants(Array(damaged.utf8), "\(key) = \(replacement)").errors.isEmpty {
                    errorsFound += 1
                }
            }
        }
        #expect(errorsFound >= 20)
    }

    @Test("Random byte damage and cuts")
    func randomDamage() throws {
        let bytes = try Self.example()
        var random = SplitMix64(seed: 6)
        let interesting = Array("0123456789-+.eE[]{}\",:\\ \n".utf8) + [0x00, 0xFF, 0xC3]
        for round in 0..<120 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                guard !damaged.isEmpty else { break }
                let at = Int.random(in: 0..<damaged.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: damaged[at] = interesting.randomElement(using: &random) ?? 0
                case 1: damaged.insert(contentsOf: Array("1e999".utf8), at: at)
                case 2: damaged.removeSubrange(at..<min(damaged.count, at + Int.random(in: 1...40, using: &random)))
                default: damaged = Array(damaged[0..<at])
                }
            }
            Self.checkInvariants(damaged, "round \(round)")
        }
    }
}
