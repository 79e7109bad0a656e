#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 reverse proxy for the sync end-to-end test (Python 3 standard library only).

It listens on 127.0.0.1 in front of the real `hubreport serve` and, while faults are on, injects one fault into a
share of the `POST /v1/tallies` requests (enrolment and everything else pass through untouched):

  500            answers 500 itself (problem+json); the service never sees the request
  503            answers 503 with Retry-After: 1 itself
  429            answers 429 with Retry-After: 1 itself
  reset          forwards the request, reads the service's answer (the service committed), then resets the
                 kiosk's connection (TCP RST): the kiosk never hears that it succeeded
  timeout        holds the request longer than the kiosk's request timeout and until the same hub's next request
                 has been answered (at most MAX_HOLD s), then forwards it late and drops the connection without
                 answering: the service sees an old batch after a newer one (out of order), and must hold the newer
                 counts (its answer's buckets are counted by merge status: `stale` where the kiosk had moved on)
  slow           waits 1-2 s, then forwards and answers normally
  duplicate      forwards the same request twice and answers with the FIRST answer; the second must be refused
                 as a replay (401, nonce-replayed), so the kiosk sees success and the service counts once

Which requests get a fault is seeded (random.Random(seed)); the kinds are dealt from a shuffled deck, so that every
kind comes up once before any comes up again. `force(hub, kind)` gives the hub's next request a chosen fault. Every fault injected is counted, as are the answers the duplicates
got. Run on its own:

    python3 fault_proxy.py --upstream 127.0.0.1:8470 --listen 127.0.0.1:8471 --seed 7 --rate 0.4

or import it and use FaultProxy (run.py does).
"""

import argparse
import http.client
import http.server
import json
import random
import re
import socket
import struct
import sys
import threading
import time

KINDS = ["500", "503", "429", "reset", "timeout", "slow", "duplicate"]

# Headers that belong to one connection, not to the request or answer (RFC 9110 §7.6.1).
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
}

FAULTED_PATHS = {"/v1/tallies"}

# The longest a timed-out request is held, waiting for the same hub's next request to be answered first.
MAX_HOLD = 12.0

KEY_ID = re.compile(r'keyid="([^"]*)"')


class FaultProxy:
    """The proxy: `start()` serves in a thread; `faults_on` switches injection; `stats()` says what it did."""

    def __init__(self, upstream_host, upstream_port, seed=1, rate=0.4, request_timeout=3.0, listen_port=0, log=None):
        self.upstream = (upstream_host, upstream_port)
        self.rate = rate
        self.request_timeout = request_timeout
        self.faults_on = False
        self.log = log
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._deck = []
        self.injected = {kind: 0 for kind in KINDS}
        self.requests = 0
        self.faulted_path_requests = 0
        self.passed = 0
        self.upstream_errors = 0
        self._inflight = 0
        self._forced = {}
        self.forced = 0
        self._answered = {}  # hub -> requests of it the service answered (first copies)
        self._answered_changed = threading.Condition(self._lock)
        self.late_results = {}  # merge status of each bucket in the answers to late deliveries -> count
        self.late_unpaired = 0  # late deliveries sent without a newer request of the hub answered first
        self.duplicate_second = {}  # "401 nonce-replayed" -> count
        self.late_answers = {}  # status of requests forwarded late by the timeout fault -> count
        self.first_answers = {}  # status the service gave requests it saw (first copy) -> count
        proxy = self

        class Handler(ProxyHandler):
            owner = proxy

        self.server = QuietServer(("127.0.0.1", listen_port), Handler)
        self.port = self.server.server_address[1]
        self._thread = None

    # MARK: running

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # MARK: decisions (seeded)

    def force(self, hub, kind):
        """Gives the next tallies request of `hub` fault `kind` (while faults are on), whatever the dice say."""
        with self._lock:
            self._forced[hub] = kind

    def decide(self, path, hub):
        """The fault for one request (None for none), and the random numbers it needs, drawn under one lock."""
        with self._lock:
            self.requests += 1
            if path in FAULTED_PATHS:
                self.faulted_path_requests += 1
            if not self.faults_on or path not in FAULTED_PATHS:
                self.passed += 1
                return None, 0.0
            if hub in self._forced:
                kind = self._forced.pop(hub)
                self.injected[kind] += 1
                self.forced += 1
                return kind, self._random.uniform(1.0, 2.0)
            if self._random.random() >= self.rate:
                self.passed += 1
                return None, 0.0
            if not self._deck:
                self._deck = list(KINDS)
                self._random.shuffle(self._deck)
            kind = self._deck.pop()
            self.injected[kind] += 1
            return kind, self._random.uniform(1.0, 2.0)

    def inflight(self):
        """Requests being handled now (a held one included)."""
        with self._lock:
            return self._inflight

    def enter(self, delta):
        with self._lock:
            self._inflight += delta

    def answered(self, hub):
        with self._lock:
            self._answered[hub] = self._answered.get(hub, 0) + 1
            self._answered_changed.notify_all()

    def hold_until_overtaken(self, hub, seen, started):
        """Waits until a request of `hub` after the `seen` first ones was answered, or MAX_HOLD from `started`."""
        with self._lock:
            while self._answered.get(hub, 0) <= seen:
                left = started + MAX_HOLD - time.monotonic()
                if left <= 0:
                    self.late_unpaired += 1
                    return False
                self._answered_changed.wait(left)
            return True

    def answered_count(self, hub):
        with self._lock:
            return self._answered.get(hub, 0)

    def count(self, table, key):
        with self._lock:
            table[key] = table.get(key, 0) + 1

    def note(self, text):
        if self.log is not None:
            with self._lock:
                self.log.write("%.3f %s\n" % (time.time(), text))
                self.log.flush()

    def stats(self):
        with self._lock:
            return {
                "requests": self.requests,
                "tallies_requests": self.faulted_path_requests,
                "passed_through": self.passed,
                "injected": dict(self.injected),
                "injected_total": sum(self.injected.values()),
                "forced": self.forced,
                "duplicate_second_answers": dict(self.duplicate_second),
                "late_answers": dict(self.late_answers),
                "late_bucket_results": dict(self.late_results),
                "late_unpaired": self.late_unpaired,
                "service_answers": dict(self.first_answers),
                "upstream_errors": self.upstream_errors,
            }

    # MARK: upstream

    def forward(self, method, path, headers, body):
        """Sends the request to the service on a fresh connection; (status, reason, headers, body)."""
        connection = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return response.status, response.reason, response.getheaders(), data
        finally:
            connection.close()


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A kiosk that hung up (after a reset or a timeout we made) is expected; anything else is printed.
        error = sys.exc_info()[1]
        if isinstance(error, (OSError, ValueError)):
            return
        super().handle_error(request, client_address)


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner = None  # set by FaultProxy
    timeout = 120  # an idle kept-alive connection is closed after this

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def do_GET(self):
        self.relay()

    def do_POST(self):
        self.relay()

    def do_PUT(self):
        self.relay()

    def do_DELETE(self):
        self.relay()

    def relay(self):
        self.owner.enter(1)
        try:
            self.relay_one()
        finally:
            self.owner.enter(-1)

    def relay_one(self):
        proxy = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = [(name, value) for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP]
        headers.append(("Content-Length", str(len(body))))
        headers = dict(headers)
        path = self.path
        hub = self.hub()
        kind, delay = proxy.decide(path.split("?")[0], hub)
        if kind is not None:
            proxy.note("%s %s fault=%s" % (self.command, path, kind))

        if kind in ("500", "503", "429"):
            status = int(kind)
            problem = {
                "type": "about:blank",
                "title": "injected by the test's fault proxy",
                "status": status,
                "detail": "fault proxy: %s" % kind,
            }
            extra = [] if status == 500 else [("Retry-After", "1")]
            self.answer(
                status,
                None,
                [("Content-Type", "application/problem+json")] + extra,
                json.dumps(problem).encode(),
            )
            return
        if kind == "timeout":
            # Longer than the kiosk waits, and until its next request overtook this one.
            started = time.monotonic()
            seen = proxy.answered_count(hub)
            time.sleep(proxy.request_timeout + delay)
            proxy.hold_until_overtaken(hub, seen, started)
            try:
                late = proxy.forward(self.command, path, headers, body)
                proxy.count(proxy.late_answers, self.describe(late))
                if late[0] == 200:
                    for result in json.loads(late[3]).get("results", []):
                        proxy.count(proxy.late_results, str(result.get("status")))
            except (OSError, ValueError):
                with proxy._lock:
                    proxy.upstream_errors += 1
            self.drop(reset=False)
            return
        if kind == "slow":
            time.sleep(delay)

        try:
            first = proxy.forward(self.command, path, headers, body)
        except OSError as error:
            with proxy._lock:
                proxy.upstream_errors += 1
            proxy.note("upstream error: %r" % (error,))
            self.answer(502, None, [("Content-Type", "text/plain")], b"fault proxy: the service did not answer\n")
            return
        proxy.count(proxy.first_answers, str(first[0]))
        proxy.answered(hub)
        if kind == "reset":
            # The service committed; the kiosk never hears it.
            self.drop(reset=True)
            return
        if kind == "duplicate":
            try:
                second = proxy.forward(self.command, path, headers, body)
                proxy.count(proxy.duplicate_second, self.describe(second))
            except OSError:
                with proxy._lock:
                    proxy.upstream_errors += 1
        status, reason, answer_headers, data = first
        self.answer(status, reason, [(n, v) for n, v in answer_headers if n.lower() not in HOP_BY_HOP], data)

    def hub(self):
        """The signing hub (the signature's keyid), or "" for a request without one."""
        match = KEY_ID.search(self.headers.get("Signature-Input") or "")
        return match.group(1) if match else ""

    @staticmethod
    def describe(answer):
        status, _, headers, data = answer
        kind = ""
        if status >= 400:
            try:
                problem = json.loads(data)
                kind = " " + str(problem.get("type", "")).rsplit(":", 1)[-1]
            except ValueError:
                pass
        return "%d%s" % (status, kind)

    def answer(self, status, reason, headers, body):
        self.send_response_only(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def drop(self, reset):
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


def main():
    parser = argparse.ArgumentParser(description="Fault-injecting reverse proxy for the hubreport sync.")
    parser.add_argument("--upstream", required=True, help="HOST:PORT of hubreport serve (loopback)")
    parser.add_argument("--listen", default="127.0.0.1:0", help="127.0.0.1:PORT to listen on")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.4, help="share of tallies requests given a fault")
    parser.add_argument("--request-timeout", type=float, default=3.0, help="the kiosk's request_timeout_seconds")
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    listen_host, _, listen_port = args.listen.rpartition(":")
    if listen_host not in ("127.0.0.1", "localhost") or host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("loopback only")
    proxy = FaultProxy(
        host,
        int(port),
        seed=args.seed,
        rate=args.rate,
        request_timeout=args.request_timeout,
        listen_port=int(listen_port),
        log=sys.stderr,
    )
    proxy.faults_on = True
    print("fault proxy on 127.0.0.1:%d -> %s:%s" % (proxy.port, host, port), flush=True)
    try:
        proxy.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        print(json.dumps(proxy.stats(), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
