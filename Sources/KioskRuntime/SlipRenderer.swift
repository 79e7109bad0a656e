import ESCPOS
import Foundation
import KioskCore

/// Composes and encodes slips, remembering the bytes of the current minute: a slip's text only changes when the
/// minute does ("Open now until 16:00"), so repeated slips cost a dictionary lookup.
public struct SlipRenderer: Sendable {
    public let composer: SlipComposer
    public let encoder: ESCPOSEncoder

    private struct Key: Hashable {
        var needs: [NeedCode]
        var compact: Bool
    }

    private var minute: Int64 = .min
    private var cache: [Key: [UInt8]] = [:]

    public init(composer: SlipComposer, encoder: ESCPOSEncoder) {
        self.composer = composer
        self.encoder = encoder
    }

    /// The bytes of the slip for `needs` at `date`.
    public mutating func bytes(for needs: [NeedCode], at date: Date, compact: Bool = false) -> [UInt8] {
        let currentMinute = Int64((date.timeIntervalSince1970 / 60).rounded(.down))
        if currentMinute != minute {
            minute = currentMinute
            cache.removeAll(keepingCapacity: true)
        }
        let key = Key(needs: needs, compact: compact)
        if let bytes = cache[key] { return bytes }
        // Compose as of the start of the minute so every slip of that minute is the same.
        let start = Date(timeIntervalSince1970: Double(currentMinute) * 60)
        let bytes = encoder.encode(composer.compose(needs: needs, at: start, compact: compact))
        cache[key] = bytes
        return bytes
    }
}
