import Foundation

/// Builds the signposting slip for one or more needs: the services that can help, when each is next open,
/// where, a phone number and a QR code.
///
/// A slip never names the need in words (it may be dropped or seen) and says nothing about the visitor.
public struct SlipComposer: Sendable {
    public var hubName: String
    public var directory: ServiceDirectory
    public var layout: KioskLayout
    public var finder: OpeningFinder
    /// Services listed for each need.
    public var servicesPerNeed: Int
    /// Services listed on one slip in all.
    public var maximumServices: Int
    public var title: String
    public var footer: [String]
    /// The day the directory was last checked against its source (a pull that found it current counts), which the
    /// slip's "Opening times as of" line shows; nil shows the day the slip prints.
    public var checkedOn: LocalDate?

    public init(
        hubName: String,
        directory: ServiceDirectory,
        layout: KioskLayout,
        timeZone: HubTimeZone,
        servicesPerNeed: Int = 3,
        maximumServices: Int = 6,
        title: String = "Places that can help",
        footer: [String] = ["Free and confidential.", "Ask a member of staff if you would like a hand."]
    ) {
        self.hubName = hubName
        self.directory = directory
        self.layout = layout
        self.finder = OpeningFinder(timeZone: timeZone)
        self.servicesPerNeed = servicesPerNeed
        self.maximumServices = maximumServices
        self.title = title
        self.footer = footer
    }

    /// A service chosen for a slip, with its next opening.
    public struct Entry: Hashable, Sendable {
        public var service: DirectoryService
        public var opening: Opening?
    }

    /// The services a slip for `needs` lists at `now`, in print order.
    public func entries(for needs: [NeedCode], at now: Date) -> [Entry] {
        var chosen: [Entry] = []
        for code in needs {
            guard let need = layout.need(code) else { continue }
            var candidates: [Entry] = []
            for service in directory.activeServices(for: need) {
                let hasTimes = service.schedules.contains { $0.isUsable }
                let opening = finder.nextOpening(of: service.schedules, after: now)
                // A service whose every opening is in the past has closed for good: leave it out.
                if hasTimes && opening == nil { continue }
                candidates.append(Entry(service: service, opening: opening))
            }
            // Open now, then soonest to open, then those without times; stable for equal times.
            let ordered = candidates.enumerated().sorted { a, b in
                switch (a.element.opening, b.element.opening) {
                case (let x?, let y?): return x.start == y.start ? a.offset < b.offset : x.start < y.start
                case (.some, .none): return true
                case (.none, .some): return false
                case (.none, .none): return a.offset < b.offset
                }
            }.map(\.element)
            var taken = 0
            for entry in ordered where taken < servicesPerNeed {
                guard !chosen.contains(where: { $0.service.id == entry.service.id }) else { continue }
                chosen.append(entry)
                taken += 1
            }
        }
        return Array(chosen.prefix(maximumServices))
    }

    /// The slip for `needs` as it would print at `now`. A `compact` slip (paper running low) lists fewer services
    /// and only their name, phone and QR code.
    public func compose(needs: [NeedCode], at now: Date, compact: Bool = false) -> SlipDocument {
        compose(entries: entries(for: needs, at: now), at: now, compact: compact)
    }

    /// A slip listing the services a member of staff picked (by id, in that order; unknown ids are left out), as
    /// it would print at `now`.
    public func compose(serviceIDs: [String], at now: Date, compact: Bool = false) -> SlipDocument {
        var entries: [Entry] = []
        for id in serviceIDs where !entries.contains(where: { $0.service.id == id }) {
            guard let service = directory.services.first(where: { $0.id == id }) else { continue }
            entries.append(Entry(service: service, opening: finder.nextOpening(of: service.schedules, after: now)))
        }
        return compose(entries: Array(entries.prefix(maximumServices)), at: now, compact: compact)
    }

    func compose(entries chosen: [Entry], at now: Date, compact: Bool) -> SlipDocument {
        var slip = SlipDocument()
        let center = SlipTextStyle(alignment: .center)
        slip.text(hubName, SlipTextStyle(bold: true, size: .double, alignment: .center))
        slip.text(title, SlipTextStyle(bold: true, alignment: .center))
        let today = finder.timeZone.localDate(of: now)
        // Never a day after today (a clock set back since the check).
        let asOf = checkedOn.map { min($0, today) } ?? today
        slip.text("Opening times as of \(asOf.shortDisplay)", center)
        slip.blocks.append(.rule)

        var entries = chosen
        if compact { entries = Array(entries.prefix(2)) }
        if entries.isEmpty {
            slip.text("Please ask a member of staff: they can point you to the right place.")
            slip.blocks.append(.rule)
        }
        for entry in entries {
            let service = entry.service
            slip.text(service.name, SlipTextStyle(bold: true))
            if !compact {
                if let opening = entry.opening {
                    slip.text(finder.describe(opening, at: now))
                } else if let note = service.schedules.compactMap(\.note).first {
                    slip.text(note)
                } else {
                    // No structured times (ALISS has none): never invent one; say how to find out, and what it is.
                    slip.text(SlipComposer.howToFindOpeningTimes(service))
                    if let summary = service.description.flatMap(SlipComposer.shortDescription) { slip.text(summary) }
                }
                if let address = service.addresses.first { slip.text(address) }
            }
            if let phone = service.phones.first { slip.text("Tel \(phone)") }
            if let url = service.url {
                slip.blocks.append(.qrCode(url))
                if !compact { slip.text(SlipComposer.shortURL(url), center) }
            }
            slip.blocks.append(.rule)
        }
        for line in footer { slip.text(line, center) }
        return slip
    }

    /// The texts of `service` a slip can print, each with the directory field it comes from: what
    /// `hubkiosk directory check` looks at for characters the printer cannot print.
    public static func printedTexts(of service: DirectoryService) -> [(field: String, text: String)] {
        var texts: [(field: String, text: String)] = [("name", service.name)]
        for (index, schedule) in service.schedules.enumerated() {
            if let note = schedule.note { texts.append(("schedules[\(index)].description", note)) }
        }
        if !service.schedules.contains(where: { $0.isUsable || $0.note != nil }),
            let summary = service.description.flatMap(shortDescription)
        {
            texts.append(("description", summary))
        }
        if let address = service.addresses.first { texts.append(("service_at_locations[0] address", address)) }
        if let phone = service.phones.first { texts.append(("phones[0]", phone)) }
        if let url = service.url { texts.append(("url", shortURL(url))) }
        return texts
    }

    /// What a slip says of a service with no opening times: to phone, to check the website, or to ask staff.
    public static func howToFindOpeningTimes(_ service: DirectoryService) -> String {
        switch (service.phones.isEmpty, service.url == nil) {
        case (false, false): return "Phone or check the website for opening times"
        case (false, true): return "Phone for opening times"
        case (true, false): return "Check the website for opening times"
        case (true, true): return "Ask staff for opening times"
        }
    }

    /// The first sentence of `description`, cut at a word to at most 90 characters; nil when it is empty.
    public static func shortDescription(_ description: String) -> String? {
        let limit = 90
        let flat = description.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !flat.isEmpty else { return nil }
        var sentence = Substring(flat)
        if let end = flat.firstIndex(where: { ".!?".contains($0) }) { sentence = flat[...end] }
        guard sentence.count > limit else { return String(sentence) }
        let cut = sentence.prefix(limit - 1)
        let atWord = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        return atWord.trimmingCharacters(in: .punctuationCharacters.union(.whitespaces)) + "…"
    }

    /// `https://www.example.org/` → `example.org`: what a person types.
    public static func shortURL(_ url: String) -> String {
        var text = Substring(url)
        for prefix in ["https://", "http://"] where text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
        if text.hasPrefix("www.") { text = text.dropFirst(4) }
        if text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
