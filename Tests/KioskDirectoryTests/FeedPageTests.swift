import Foundation
import KioskCore
import KioskDirectory
import Testing

@Suite("Feed pages: read as an API sends them, written back as one document")
struct FeedPageTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/directories")

    @Test("Each format's page: its services and what it says of the next pages")
    func pages() throws {
        let v3 = try FeedPage.read(
            Array(#"{"total_items": 9, "total_pages": 3, "page_number": 2, "contents": [{"id": "a"}]}"#.utf8),
            format: .auto)
        #expect(v3.format == .oruk3 && v3.isPaged && v3.number == 2 && v3.totalPages == 3 && v3.items.count == 1)
        let v1 = try FeedPage.read(
            Array(#"{"totalElements": 2, "totalPages": 1, "number": 0, "last": true, "content": [{}, {}]}"#.utf8),
            format: .auto)
        #expect(v1.format == .oruk1 && v1.isLast == true && v1.number == 0 && v1.items.count == 2)
        let aliss = try FeedPage.read(
            Array(#"{"count": 40, "next": "https://x.example/api/v4/search/?page=2", "data": [{}]}"#.utf8),
            format: .auto)
        #expect(aliss.format == .aliss && aliss.next == "https://x.example/api/v4/search/?page=2")
        let one = try FeedPage.read(
            Array(
                #"{"meta": {"licence": "x"}, "data": {"id": "a1", "name": "A", "organisation": {"name": "O"}, "categories": []}}"#
                    .utf8),
            format: .auto)
        #expect(one.format == .aliss && one.items.count == 1 && !one.isPaged)
        let plain = try FeedPage.read(Array(#"[{"id": "a"}, {"id": "b"}]"#.utf8), format: .auto)
        #expect(!plain.isPaged && plain.items.count == 2)
        #expect(throws: FeedPageError.self) { try FeedPage.read(Array("<html>".utf8), format: .auto) }
        #expect(throws: FeedPageError.self) { try FeedPage.read(Array(#"{"contents": 5}"#.utf8), format: .auto) }
    }

    @Test("Every fixture's services, written as one document and read again, decode to the same directory")
    func roundTrip() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter {
            $0.hasSuffix(".json")
        }
        #expect(names.count >= 10)
        var checked = 0
        for name in names {
            let bytes = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent(name)))
            // Files that are not a page of services (a categories answer, a list of locations) are refused by both.
            guard let page = try? FeedPage.read(bytes, format: .auto) else {
                #expect(!DirectoryDecoder().decode(bytes).errors.isEmpty, "\(name): refused as a page, read as a file")
                continue
            }
            checked += 1
            let before = DirectoryDecoder().decode(bytes, format: page.format)
            let document = FeedPage.document(of: page.items, format: page.format)
            let after = DirectoryDecoder().decode(document, format: page.format)
            #expect(after.directory == before.directory, "\(name)")
            #expect(after.errors.count == before.errors.count, "\(name)")
        }
        #expect(checked >= names.count - 3, "\(checked) of \(names.count) fixtures round-tripped")
    }

    @Test("Text with quotes, backslashes, control characters and non-ASCII survives the writer")
    func escaping() throws {
        let text = "Caf\u{E9} \"Bothy\"\\\n\t\u{1}\u{7F} \u{1F600}"
        let node = JSONNode(.array([JSONNode(.string(text), line: 0, column: 0)]), line: 0, column: 0)
        let parsed = try JSONParser.parse(JSONWriter.bytes(node))
        #expect(parsed.array?.first?.string == text)
    }
}
