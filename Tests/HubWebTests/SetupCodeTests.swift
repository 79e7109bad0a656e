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

@Suite("SVG charts")
struct SVGChartTests {
    @Test("The axis shows whole, distinct numbers, whatever the top; texts are escaped")
    func axis() {
        for (values, expected) in [
            ([1, 0], ["0", "1"]), ([2], ["0", "1", "2"]), ([7, 3], ["0", "2", "4", "6", "8", "10"]),
            ([150], ["0", "50", "100", "150", "200"]),
        ] {
            let svg = SVGChart.columns(id: "c", title: "A <title>", labels: values.map { "\($0)" }, values: values)
            let labels = svg.components(separatedBy: "text-anchor=\"end\" fill=\"#333\">").dropFirst().map {
                String($0.prefix { $0 != "<" })
            }
            #expect(labels.prefix(expected.count) == ArraySlice(expected), "\(values): \(labels)")
            #expect(Set(labels).count == labels.count)
            #expect(svg.contains("A &lt;title&gt;") && !svg.contains("A <title>"))
        }
    }

    @Test("A suppressed value is an outline that says so, in every kind of chart; no total gives it away")
    func suppressed() {
        let values: [Int?] = [nil, 20, 0]
        let labels = ["a", "b", "c"]
        for svg in [
            SVGChart.columns(id: "c", title: "t", labels: labels, values: values),
            SVGChart.bars(id: "b", title: "t", labels: labels, values: values),
        ] {
            #expect(svg.contains("1 suppressed ([c], 1 to 7)"), "\(svg)")
            #expect(!svg.contains("in all"), "a total beside the shown bars would give the suppressed one away")
            #expect(svg.contains("stroke-dasharray"))
        }
        #expect(SVGChart.columns(id: "c", title: "t", labels: labels, values: values).contains("<title>a: [c], 1 to 7"))
        #expect(SVGChart.bars(id: "b", title: "t", labels: labels, values: values).contains(">[c]</text>"))
        let heat = SVGChart.heatmap(id: "h", title: "t", rows: ["r"], columns: labels, values: [values])
        #expect(heat.contains("<title>r, a: [c], 1 to 7</title>") && heat.contains("dashed outline are suppressed"))
        // Fewer labels than values (a caller's slip): drawn, not a crash.
        #expect(SVGChart.columns(id: "c", title: "t", labels: ["a"], values: [1, 2]).contains("</svg>"))
        #expect(SVGChart.bars(id: "b", title: "t", labels: [], values: [3]).contains("</svg>"))
        // Nothing suppressed: the total is said.
        #expect(SVGChart.columns(id: "c", title: "t", labels: labels, values: [1, 2, 3]).contains("6 in all"))
    }
}
