import Foundation
import Testing

@testable import HubWeb

@Suite("One-time setup codes")
struct SetupCodeTests {
    @Test("A code works once, typed with or without dashes and in lower case; a wrong one does not spend it")
    func once() async {
        let codes = SetupCodes()
        let code = codes.issue(role: "staff")
        #expect(code.text.count == 14)
        #expect(await codes.consume("AAAA-AAAA-AAAA", now: Date()) == nil)
        #expect(await codes.isOpen(now: Date()))
        let typed = code.text.lowercased().replacingOccurrences(of: "-", with: " ")
        #expect(await codes.consume(typed, now: Date())?.role == "staff")
        #expect(await codes.consume(code.text, now: Date()) == nil)
        #expect(!(await codes.isOpen(now: Date())))
    }

    @Test("A code expires after 30 minutes")
    func expiry() async {
        let codes = SetupCodes()
        let now = Date()
        let code = codes.issue(role: "staff", now: now)
        #expect(await codes.consume(code.text, now: now.addingTimeInterval(30 * 60 + 1)) == nil)
        #expect(!(await codes.isOpen(now: now.addingTimeInterval(30 * 60 + 1))))
    }
}
