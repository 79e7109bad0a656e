import Foundation
import KioskCore
import KioskDirectory
import Testing

/// Text and times as feeds write them, through the reader: each read right or reported naming the field.
@Suite("Feed text and times")
struct FeedTextTests {
    func decode(_ fields: String, schedule: String? = nil) -> DirectoryDecoder.Result {
        let schedules = schedule.map { #", "schedules": [{"freq": "WEEKLY", "byday": "MO", \#($0)}]"# } ?? ""
        let json =
            #"[{"id": "s", "name": "S", "status": "active", "phones": [{"number": "1"}]"#
            + (fields.isEmpty ? "" : ", " + fields) + schedules + "}]"
        return DirectoryDecoder().decode(Array(json.utf8))
    }

    @Test(
        "12-hour times",
        arguments: [
            ("12am", "1am", 0, 0), ("12pm", "1pm", 12, 0), ("9.30am", "11.45 a.m.", 9, 30), ("7:05 PM", "11 PM", 19, 5),
        ])
    func twelveHour(opens: String, closes: String, hour: Int, minute: Int) throws {
        let result = decode("", schedule: #""opens_at": "\#(opens)", "closes_at": "\#(closes)""#)
        #expect(result.errors.isEmpty, "\(result.errors)")
        let schedule = try #require(result.directory.services.first?.schedules.first)
        #expect(schedule.opensAt == LocalTime(hour: hour, minute: minute))
    }

    @Test("times that are not times are errors naming the field", arguments: ["13pm", "0am", "9:5pm", "9:00 XM"])
    func badTimes(text: String) {
        let result = decode("", schedule: #""opens_at": "\#(text)", "closes_at": "23:00""#)
        #expect(result.errors.map(\.field) == ["schedules[0].opens_at"], "\(text): \(result.errors)")
    }

    @Test("ORUK v1 weekday names, whole or short")
    func weekdayNames() throws {
        for (name, day) in [("Tues", Weekday.tuesday), ("thurs", .thursday), ("SUN", .sunday), ("Friday", .friday)] {
            let json =
                #"[{"id": "s", "name": "S", "status": "active", "phones": [{"number": "1"}], "#
                + #""regular_schedules": [{"weekday": "\#(name)", "opens_at": "10:00", "closes_at": "11:00"}]}]"#
            let result = DirectoryDecoder().decode(Array(json.utf8), format: .oruk1)
            #expect(result.errors.isEmpty, "\(name): \(result.errors)")
            #expect(result.directory.services.first?.schedules.first?.byDay == [.init(weekday: day)], "\(name)")
        }
        let json =
            #"[{"id": "s", "name": "S", "regular_schedules": [{"weekday": "Mo", "opens_at": "10:00", "#
            + #""closes_at": "11:00"}]}]"#
        #expect(DirectoryDecoder().decode(Array(json.utf8)).errors.map(\.field) == ["regular_schedules[0].weekday"])
    }

    @Test("clean text is left as it is; a lone < or & is not HTML")
    func cleanText() {
        let result = decode(#""description": "Ages 5 < 11 & their carers; café""#)
        #expect(result.warnings.filter { $0.field == "description" }.isEmpty)
        #expect(result.directory.services.first?.description == "Ages 5 < 11 & their carers; café")
    }

    @Test("HTML with entities and line breaks, and mojibake of a pound sign")
    func repaired() {
        let result = decode(#""description": "Open&nbsp;to all<br/>Fee: \u00c2\u00a33 &#8211; or free""#)
        #expect(result.directory.services.first?.description == "Open to all Fee: £3 – or free")
        #expect(result.warnings.filter { $0.field == "description" }.count == 2)
    }
}

extension FeedTextTests {
    @Test("a long text of unclosed tags is read in linear time, left as written")
    func unclosedTags() {
        let text = String(repeating: "<a", count: 50_000)
        let result = decode(#""description": "\#(text)""#)
        #expect(result.directory.services.first?.description == text)
    }
}
