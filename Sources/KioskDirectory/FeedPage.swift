/// One page of a directory feed, as an API returns it: its services and what it says about the pages after it.
///
/// - ORUK v3: `{"total_items", "total_pages", "page_number" (from 1), "contents": […]}`;
/// - ORUK v1 (Spring pages): `{"totalElements", "totalPages", "number" (from 0), "last", "content": […]}`;
/// - ALISS v4: `{"count", "next", "previous", "data": […]}`, the next page's address in `next`;
/// - a plain list, `{"services": […]}` or one service: the whole feed on one page.
public struct FeedPage: Sendable {
    public var format: DirectoryFormat
    public var items: [JSONNode]
    /// The page's number as the feed writes it (`page_number` or `number`), if it does.
    public var number: Int?
    /// The number of pages the feed says it has, if it says (it may be wrong).
    public var totalPages: Int?
    /// ORUK v1's `last`, if given.
    public var isLast: Bool?
    /// ALISS's `next`: the next page's address, if any.
    public var next: String?
    /// Whether the page is one of several: false for a plain list, `services` or one service.
    public var isPaged: Bool

    /// Reads `bytes` as a page of `format` (`auto` tells it from the page). Throws a message naming the line and
    /// what is wrong when the bytes are not JSON or not a page of services.
    public static func read(_ bytes: [UInt8], format requested: DirectoryFormat) throws(FeedPageError) -> FeedPage {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw FeedPageError(
                line: error.line,
                message: "not valid JSON (line \(error.line), column \(error.column)): \(error.message)")
        }
        let format = requested == .auto ? DirectoryDecoder.detect(root) : requested
        var page = FeedPage(format: format, items: [], isPaged: false)
        if let list = root.array {
            page.items = list
            return page
        }
        guard case .object = root.value else {
            throw FeedPageError(line: root.line, message: "expected a page of services; found \(root.kindName)")
        }
        func list(_ key: String) throws(FeedPageError) -> [JSONNode]? {
            guard let node = root[key], !node.isNull else { return nil }
            guard let items = node.array else {
                throw FeedPageError(
                    line: node.line, message: "\"\(key)\" should be the list of services; found \(node.kindName)")
            }
            return items
        }
        // One ALISS service (`/api/v4/services/{id}/`): `{"meta", "data": {…}}`.
        if let one = root["data"], case .object = one.value, format == .aliss {
            page.items = [one]
            return page
        }
        let data = try list("data")
        let results = try list("results")
        if let data = data ?? results, format == .aliss || root["contents"] == nil {
            page.items = data
            page.isPaged = true
            page.next = root["next"]?.string.flatMap { $0.isEmpty ? nil : $0 }
            return page
        }
        let contents = try list("contents")
        let content = try list("content")
        if let contents = contents ?? content {
            page.items = contents
            page.isPaged = true
            page.number = (root["page_number"] ?? root["number"])?.jsonNumber?.integer
            page.totalPages = (root["total_pages"] ?? root["totalPages"])?.jsonNumber?.integer
            for key in ["last", "last_page"] {
                if case .bool(let flag)? = root[key]?.value { page.isLast = flag }
            }
            return page
        }
        if let services = try list("services") {
            page.items = services
            return page
        }
        // One service (what `/services/{id}` returns).
        page.items = [root]
        return page
    }

    /// The services of every page, as one document in `format`'s own page shape (one page holding them all), for
    /// the directory decoder and as the copy kept on disk.
    public static func document(of items: [JSONNode], format: DirectoryFormat) -> [UInt8] {
        func number(_ value: Int) -> JSONNode { JSONNode(.number(JSONNumber(value)), line: 0, column: 0) }
        let list = JSONNode(.array(items), line: 0, column: 0)
        let null = JSONNode(.null, line: 0, column: 0)
        let members: [(key: String, value: JSONNode)]
        switch format {
        case .aliss:
            members = [("count", number(items.count)), ("next", null), ("previous", null), ("data", list)]
        case .oruk1:
            members = [
                ("totalElements", number(items.count)), ("totalPages", number(1)), ("number", number(0)),
                ("content", list),
            ]
        case .oruk3, .auto:
            members = [
                ("total_items", number(items.count)), ("total_pages", number(1)), ("page_number", number(1)),
                ("contents", list),
            ]
        }
        return JSONWriter.bytes(JSONNode(.object(members), line: 0, column: 0))
    }
}

/// A page of a feed that could not be read.
public struct FeedPageError: Error, Sendable, CustomStringConvertible {
    public var line: Int?
    public var message: String
    public var description: String { message }
}
