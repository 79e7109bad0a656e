"""schemathesis hooks for hubreport: sign POST /v1/tallies as an enrolled kiosk would (RFC 9421, ed25519).

Without them every /v1/tallies case stops at 401, and the merge path and its 200 answers are never checked against
the spec. Scripts/ci/schemathesis.sh enrols a hub and passes its private key (32 raw bytes, hex) in
HUBREPORT_SCHEMATHESIS_KEY and its id in HUBREPORT_SCHEMATHESIS_HUB. A case is signed only when it carries all three
signature headers (schemathesis generates them as required): cases that leave one out stay unsigned, so a missing
header is still tested. The body is sent as the exact bytes that were signed.
"""

import base64
import hashlib
import json
import os
import secrets
import time

import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(os.environ["HUBREPORT_SCHEMATHESIS_KEY"]))
HUB = os.environ["HUBREPORT_SCHEMATHESIS_HUB"]
SIGNED_HEADERS = ("content-digest", "signature-input", "signature")


def sign(method: str, path: str, body: bytes) -> dict:
    """The three header fields RequestSigner (Sources/HubReportAPI) makes for this request."""
    digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    nonce = base64.b64encode(secrets.token_bytes(18)).decode()
    params = (
        '("@method" "@path" "content-digest")'
        + f';created={int(time.time())};nonce="{nonce}";keyid="{HUB}";alg="ed25519"'
    )
    base = "\n".join(
        [
            f'"@method": {method}',
            f'"@path": {path}',
            f'"content-digest": {digest}',
            f'"@signature-params": {params}',
        ]
    )
    signature = base64.b64encode(KEY.sign(base.encode())).decode()
    return {"Content-Digest": digest, "Signature-Input": f"sig1={params}", "Signature": f"sig1=:{signature}:"}


@schemathesis.hook
def before_call(ctx, case, kwargs):
    if case.operation.path != "/v1/tallies" or case.method.upper() != "POST":
        return
    headers = case.headers or {}
    if not all(any(name.lower() == wanted for name in headers) for wanted in SIGNED_HEADERS):
        return
    if not isinstance(case.body, dict):
        return
    # The batch is the enrolled hub's (another hub's batch is refused before its buckets are read).
    case.body["hub_id"] = HUB
    body = json.dumps(case.body, separators=(",", ":")).encode()
    for name in list(headers):
        if name.lower() in SIGNED_HEADERS:
            del headers[name]
    headers.update(sign("POST", "/v1/tallies", body))
    case.headers = headers
    kwargs["data"] = body
