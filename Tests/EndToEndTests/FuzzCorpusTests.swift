import Foundation
import Testing

/// The fuzzers' corpus (`Fuzz/corpus`, inputs that reached new code, and every crash once fixed) replayed through
/// the ordinary build: a reader that traps on one of them again fails here, not only under `Fuzz/run.sh`.
@Suite("The fuzz corpus")
struct FuzzCorpusTests {
    @Test(
        "every input of a reader's corpus is read without a crash",
        arguments: ["directory", "config", "scenario", "escpos"])
    func replay(reader: String) async throws {
        let corpus = Repository.root.appendingPathComponent("Fuzz/corpus/\(reader)").path
        let inputs = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(!inputs.isEmpty, "Fuzz/corpus/\(reader) is empty")
        let run = try await ToolRun.run("hubkiosk-fuzz", [reader, corpus])
        #expect(run.status == 0, "hubkiosk-fuzz \(reader) crashed or failed: \(run.stderr.suffix(2000))")
        #expect(run.stdout.contains("\(reader): \(inputs.count) inputs replayed, none crashed"), "\(run.stdout)")
    }
}
