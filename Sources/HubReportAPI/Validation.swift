import KioskCore

/// The service's checks of what a kiosk sends: each returns every bad field, named by its JSON Pointer.
extension TallyBatch {
    /// Every bad field of the batch; empty if it may be merged. `signedBy`, when given, is the signature's `keyid`,
    /// which the batch's `hub_id` must match (checked by `validated(signedBy:limits:)`, reported as 403).
    public func fieldErrors(limits: WireLimits = .standard, today: LocalDate? = nil) -> [FieldError] {
        var errors = envelopeErrors(limits: limits)
        guard buckets.count <= limits.maxBuckets else { return errors }
        for (index, bucket) in buckets.enumerated() {
            errors += bucket.fieldErrors(
                at: ["buckets", .index(index)], granularity: granularity, limits: limits, today: today)
        }
        return errors
    }

    /// The bad fields of the batch as a whole (its hub id, its number of buckets, a bucket sent twice, the health
    /// report): these refuse the batch. A bad bucket does not; ``bucketRejections(limits:today:)`` names those.
    public func envelopeErrors(limits: WireLimits = .standard) -> [FieldError] {
        var errors: [FieldError] = []
        if !WireSyntax.isHubID(hubID) {
            errors.append(
                FieldError(
                    path: ["hub_id"],
                    detail: "is not a hub id (1–64 characters of a-z, 0-9, - and _, starting with a letter or digit)"))
        }
        if buckets.count > limits.maxBuckets {
            errors.append(
                FieldError(
                    path: ["buckets"],
                    detail: "has \(buckets.count) buckets; a batch holds at most \(limits.maxBuckets)"))
            return errors  // Do not walk a hostile number of buckets.
        }
        var firstIndex: [BucketKey: Int] = [:]
        for (index, bucket) in buckets.enumerated() {
            if let earlier = firstIndex[bucket.key] {
                errors.append(
                    FieldError(
                        path: ["buckets", .index(index)],
                        detail: "is bucket \(bucket.key) again (first at #/buckets/\(earlier)); send each bucket once"))
            } else {
                firstIndex[bucket.key] = index
            }
        }
        errors += health.fieldErrors(at: ["health"], limits: limits)
        return errors
    }

    /// Why each bad bucket is rejected, by its index in `buckets`: its bad fields, named by JSON Pointer.
    public func bucketRejections(limits: WireLimits = .standard, today: LocalDate? = nil) -> [Int: String] {
        var rejections: [Int: String] = [:]
        for (index, bucket) in buckets.enumerated() {
            let errors = bucket.fieldErrors(
                at: ["buckets", .index(index)], granularity: granularity, limits: limits, today: today)
            if !errors.isEmpty {
                rejections[index] = errors.map { "\($0.pointer) \($0.detail)" }.joined(separator: "; ")
            }
        }
        return rejections
    }

    /// Throws the problem a service answers for this batch as a whole, if any: 422 for bad envelope fields (a bad
    /// bucket is rejected on its own, in the response), 403 if it names another hub than `signedBy`.
    public func validated(signedBy keyID: String?, limits: WireLimits = .standard) throws(ProblemDetails) {
        let errors = envelopeErrors(limits: limits)
        if !errors.isEmpty {
            throw ProblemDetails(
                .invalidField,
                detail: errors.count == 1
                    ? "\(errors[0].pointer) \(errors[0].detail)." : "\(errors.count) values are out of bounds.",
                errors: errors)
        }
        if let keyID, keyID != hubID {
            throw ProblemDetails(
                .hubMismatch,
                detail: "The batch is for hub \"\(hubID)\" but was signed by hub \"\(keyID)\".",
                errors: [FieldError(path: ["hub_id"], detail: "is not the signing hub \"\(keyID)\"")])
        }
    }
}

extension TallyBucket {
    /// Every bad field of the bucket at `path`.
    /// The first date a bucket may have.
    public static let earliestDate = LocalDate(year: 2000, month: 1, day: 1)!

    /// Every bad field of the bucket at `path`. With `today` (the service's date), a date later than two days after
    /// it is bad too (a kiosk's calendar may run ahead of the service's by its time zone, never by days).
    public func fieldErrors(
        at path: [JSONPathComponent], granularity: TallyGranularity, limits: WireLimits = .standard,
        today: LocalDate? = nil
    ) -> [FieldError] {
        var errors: [FieldError] = []
        let latest = today?.adding(days: 2)
        if key.date < Self.earliestDate || latest.map({ key.date > $0 }) == true {
            errors.append(
                FieldError(
                    path: path + ["date"],
                    detail: "is \(key.date); a bucket's date is from \(Self.earliestDate)"
                        + (latest.map { " to \($0) (two days after the service's today)" } ?? " on")))
        }
        switch (granularity, key.hour) {
        case (.hour, nil):
            errors.append(FieldError(path: path + ["hour"], detail: "is missing; an hour bucket has an hour (0–23)"))
        case (.hour, let hour?) where !(0...23).contains(hour):
            errors.append(FieldError(path: path + ["hour"], detail: "is \(hour); an hour is 0–23"))
        case (.day, .some):
            errors.append(FieldError(path: path + ["hour"], detail: "must be absent in a day bucket"))
        default:
            break
        }
        func check(_ count: Int, _ field: [JSONPathComponent], atMost cap: Int? = nil) {
            if count < 0 {
                errors.append(FieldError(path: path + field, detail: "is \(count); counts are never negative"))
            } else if count > limits.maxCount {
                errors.append(
                    FieldError(path: path + field, detail: "is \(count); a bucket counts at most \(limits.maxCount)"))
            } else if let cap, count > cap {
                errors.append(
                    FieldError(
                        path: path + field,
                        detail: "is \(count), more than the bucket's \(cap) visits (a need counts once per visit)"))
            }
        }
        check(counts.visits, ["visits"])
        check(counts.slipsPrinted, ["slips_printed"])
        check(counts.slipsNotPrinted, ["slips_not_printed"])
        if counts.visitsByNeed.count > limits.maxNeedsPerBucket {
            errors.append(
                FieldError(
                    path: path + ["visits_by_need"],
                    detail: "has \(counts.visitsByNeed.count) needs; a bucket has at most \(limits.maxNeedsPerBucket)"))
            return errors
        }
        let visitCap = (0...limits.maxCount).contains(counts.visits) ? counts.visits : nil
        for (code, count) in counts.visitsByNeed.sorted(by: { $0.key < $1.key }) {
            let field: [JSONPathComponent] = ["visits_by_need", .key(code.rawValue)]
            if !WireSyntax.isNeedCode(code.rawValue) {
                errors.append(
                    FieldError(
                        path: path + field,
                        detail: "is not a need code (1–32 characters of a-z, 0-9, - and _, starting with a letter)"))
            }
            check(count, field, atMost: visitCap)
        }
        return errors
    }
}

extension KioskHealth {
    /// Every bad field of the health report at `path`.
    public func fieldErrors(at path: [JSONPathComponent], limits: WireLimits = .standard) -> [FieldError] {
        var errors: [FieldError] = []
        if !WireSyntax.isShortText(version) {
            errors.append(
                FieldError(path: path + ["version"], detail: "is not a version (1–64 printable ASCII characters)"))
        }
        if openAlerts.count > limits.maxAlerts {
            errors.append(
                FieldError(path: path + ["open_alerts"], detail: "has more than \(limits.maxAlerts) alert kinds"))
        } else if Set(openAlerts).count != openAlerts.count {
            errors.append(FieldError(path: path + ["open_alerts"], detail: "names an alert kind twice"))
        }
        if !(0...limits.maxBacklog).contains(backlog) {
            errors.append(
                FieldError(path: path + ["backlog"], detail: "is \(backlog); a backlog is 0–\(limits.maxBacklog)"))
        }
        return errors
    }
}

extension EnrolmentRequest {
    /// Every bad field of the request. A well-formed public key is 32 bytes of base64.
    public func fieldErrors() -> [FieldError] {
        var errors: [FieldError] = []
        let codeScalars = code.unicodeScalars
        if !(6...64).contains(codeScalars.count)
            || !codeScalars.allSatisfy({
                ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
            })
        {
            errors.append(
                FieldError(path: ["code"], detail: "is not an enrolment code (6–64 letters, digits and dashes)"))
        }
        if (try? HubPublicKey(base64: publicKey)) == nil {
            errors.append(
                FieldError(path: ["public_key"], detail: "is not an ed25519 public key (32 bytes in base64)"))
        }
        if !WireSyntax.isShortText(kioskVersion) {
            errors.append(
                FieldError(path: ["kiosk_version"], detail: "is not a version (1–64 printable ASCII characters)"))
        }
        return errors
    }

    /// Throws a 422 problem naming every bad field, if any.
    public func validated() throws(ProblemDetails) {
        let errors = fieldErrors()
        guard !errors.isEmpty else { return }
        throw ProblemDetails(
            .invalidField,
            detail: errors.count == 1
                ? "\(errors[0].pointer) \(errors[0].detail)." : "\(errors.count) values are not accepted.",
            errors: errors)
    }
}
