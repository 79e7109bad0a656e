import Foundation
import HTTPTypes
import HubReportAPI
import Hummingbird
import KioskCore
import Logging
import NIOCore

extension ReportServer {
    /// `POST /v1/enrol`: a one-time code and a public key make the code's hub enrolled.
    func enrol(_ request: Request) async throws(ProblemDetails) -> Response {
        let body = try await jsonBody(request)
        let enrolment = try HubReportJSON.decode(EnrolmentRequest.self, from: body)
        try enrolment.validated()
        guard let key = try? HubPublicKey(base64: enrolment.publicKey) else {
            throw ProblemDetails(.invalidField, detail: "#/public_key is not an ed25519 public key.")
        }
        let outcome: EnrolmentOutcome
        do {
            outcome = try await store.enrol(
                codeHash: EnrolmentCode.hash(enrolment.code), publicKey: key, kioskVersion: enrolment.kioskVersion,
                now: now)
        } catch {
            throw unavailable(error)
        }
        switch outcome {
        case .enrolled(let hub):
            logger.info(
                "hub enrolled", metadata: ["hub": "\(hub.id)", "kiosk_version": "\(enrolment.kioskVersion)"])
            return Self.json(EnrolmentResponse(hubID: hub.id, hubName: hub.name, partnership: partnership.name))
        case .unknownCode:
            throw ProblemDetails(
                .enrolmentCodeInvalid,
                detail: "No hub has this enrolment code (a typing mistake, or a code replaced by a newer one).")
        case .expired(let hubID):
            throw ProblemDetails(
                .enrolmentCodeInvalid,
                detail: "The enrolment code of hub \"\(hubID)\" expired (codes are valid for 24 hours).",
                whatToDo: "Ask the partnership's administrator for a new code: `hubreport hub add \(hubID) --name …`.")
        case .used(let hubID):
            throw ProblemDetails(
                .enrolmentCodeUsed, detail: "The enrolment code of hub \"\(hubID)\" enrolled a kiosk already.")
        }
    }

    /// `POST /v1/tallies`: a signed batch, verified against the hub's stored key, validated, merged.
    func tallies(_ request: Request) async throws(ProblemDetails) -> Response {
        let body = try await jsonBody(request)
        let headers = request.headers.map { HubReportAPI.HTTPField(name: $0.name.rawName, value: $0.value) }
        let verifier = SignatureVerifier(keys: store, nonces: store, maximumSkew: settings.maximumSkew)
        let verified: SignatureVerifier.Verified
        do {
            verified = try await verifier.verify(
                method: request.method.rawValue, target: request.head.path ?? request.uri.path, headers: headers,
                body: body, now: clock())
        } catch let failure as SignatureFailure {
            throw failure.problem
        } catch {
            throw unavailable(error)
        }
        let batch = try HubReportJSON.decode(TallyBatch.self, from: body)
        try batch.validated(signedBy: verified.keyID, limits: settings.limits)
        // A bad bucket is rejected on its own (with its reason); the others are merged.
        let today = LocalDate(daysSinceEpoch: Int(now.quotientAndRemainder(dividingBy: 86_400).quotient))
        let rejections = batch.bucketRejections(limits: settings.limits, today: today)
        var valid = batch
        valid.buckets = batch.buckets.enumerated().filter { rejections[$0.offset] == nil }.map(\.element)
        var response: TallyBatchResponse
        do {
            response = try await store.merge(valid, now: now)
        } catch let error as ReportStoreError where error.code == .notEnrolled {
            throw ProblemDetails(.hubRevoked, detail: "Hub \"\(batch.hubID)\" was revoked.")
        } catch {
            throw unavailable(error)
        }
        var merged = response.results.makeIterator()
        response.results = batch.buckets.enumerated().compactMap { index, bucket in
            guard let reason = rejections[index] else { return merged.next() }
            return BucketResult(
                key: bucket.key, revision: bucket.revision, status: .rejected, heldRevision: 0, reason: reason)
        }
        let unknown = partnership.unknown(valid.buckets.flatMap { $0.counts.visitsByNeed.keys })
        if !unknown.isEmpty {
            logger.warning(
                "need codes the partnership does not list: kept, and shown apart in exports",
                metadata: ["hub": "\(batch.hubID)", "needs": "\(unknown.map(\.rawValue).joined(separator: ","))"])
        }
        logger.debug(
            "tallies merged",
            metadata: [
                "hub": "\(batch.hubID)", "buckets": "\(batch.buckets.count)",
                "accepted": "\(response.results.filter { $0.status == .accepted }.count)",
                "stale": "\(response.results.filter { $0.status == .stale }.count)",
                "conflict": "\(response.results.filter { $0.status == .conflict }.count)",
                "rejected": "\(response.results.filter { $0.status == .rejected }.count)",
                "backlog": "\(batch.health.backlog)",
            ])
        return Self.json(response)
    }

    /// The service's clock in whole seconds.
    var now: Int64 {
        let seconds = clock().timeIntervalSince1970.rounded(.down)
        return seconds.isFinite && abs(seconds) < 1e15 ? Int64(seconds) : 0
    }

    /// The body of a JSON request: 415 if it is not JSON, 413 past the size limit.
    func jsonBody(_ request: Request) async throws(ProblemDetails) -> Data {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard mediaType == HubReportJSON.mediaType else {
            throw ProblemDetails(
                .unsupportedMediaType,
                detail: "The body is \(mediaType.map { "\"\($0)\"" } ?? "of no stated type"); send application/json.")
        }
        let limit = settings.limits.maxBodyBytes
        let tooLarge = ProblemDetails(
            .payloadTooLarge, detail: "The body is larger than the \(limit) bytes this service accepts.")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw tooLarge }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch {
            throw ProblemDetails(.malformedRequest, detail: "The body could not be read: \(error).")
        }
    }

    /// A storage failure: 503, the kiosk keeps its tallies and retries.
    func unavailable(_ error: any Error) -> ProblemDetails {
        logger.error("storage failed", metadata: ["error": "\(error)"])
        return ProblemDetails(.unavailable, detail: "The service cannot reach its storage now.")
    }

    // MARK: - Responses

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? HubReportJSON.encode(value)) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = HubReportJSON.mediaType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func problem(_ problem: ProblemDetails, retryAfter: Int? = nil) -> Response {
        let data = (try? HubReportJSON.encode(problem)) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = ProblemDetails.mediaType
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(
            status: HTTPResponse.Status(code: problem.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A problem for a plain HTTP status the API's problem kinds do not cover (404, 405): RFC 9457's
    /// `about:blank` type, titled by the status.
    static func httpProblem(_ status: HTTPResponse.Status, detail: String, whatToDo: String) -> ProblemDetails {
        var problem = ProblemDetails(.malformedRequest, detail: detail, whatToDo: whatToDo)
        problem.type = "about:blank"
        problem.title = status.reasonPhrase
        problem.status = status.code
        return problem
    }
}
