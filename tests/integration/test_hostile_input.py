"""Hostile and careless input, as an attacker or a broken client would send it, through the real engine:
bytes that are not UTF-8 in every part of an Invoke API request and from a handler, line breaks in the
client context, requests that are not HTTP, oversized headers, and more connections than descriptors.
Each answer is checked on the wire, the engine keeps serving, and it exits cleanly on SIGTERM (the
base class fails a test whose engine does not, and one whose sanitizer reported anything)."""

import base64
import json
import os
import resource
import socket
import threading
import time
import unittest

from harness import HERE, Engine, EngineTestCase, Response, example, http_request, wait_until

PROBE = os.path.join(HERE, "handlers", "runtime_probe.py")


def raw_exchange(host: str, port: int, request: bytes, timeout: float = 10.0) -> bytes:
    """Sends `request` as raw bytes on a new connection and returns all the server sent until it
    closed the connection or stayed silent for `timeout` seconds."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        return data


def raw_invoke(engine, path: bytes = b"/2015-03-31/functions/hello/invocations",
               headers: bytes = b"", method: bytes = b"POST") -> Response:
    """One Invoke API request written byte for byte (a `{}` body), and the answer parsed."""
    request = (method + b" " + path + b" HTTP/1.1\r\nHost: x\r\n" + headers +
               b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
    return parse_response(raw_exchange(engine.host, engine.port, request))


def parse_response(raw: bytes) -> Response:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.1 "):
        raise AssertionError(f"not an HTTP response: {raw[:300]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", len(body)))
    return Response(int(lines[0].split(" ")[1]), headers, body[:length])


class NotUtf8FromCallers(EngineTestCase):
    """One byte that is not UTF-8 once killed the session with an exception (no answer) and the
    engine read freed memory when it stopped."""

    def setUp(self):
        super().setUp()
        self.engine = self.start_engine({"hello": {"handler": example("hello")}})

    def tearDown(self):
        # The engine still serves, and the base class checks that SIGTERM ends it with status 0.
        self.assertSuccess(self.engine.invoke("hello", {"after": "hostile input"}))

    def post(self, path: str, headers: dict | None = None) -> Response:
        return http_request(self.engine.host, self.engine.port, "POST", path, b"{}", headers or {}, 30)

    def test_percent_encoded_byte_in_the_function_name(self):
        r = self.post("/2015-03-31/functions/%FF/invocations")
        self.assertApiError(r, 400, "ValidationException")

    def test_percent_encoded_byte_in_an_arn(self):
        r = self.post("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3A"
                      "function%3Ahello%3A%C3/invocations")
        self.assertApiError(r, 400, "ValidationException")

    def test_percent_ff_in_the_function_name_on_the_wire(self):
        r = raw_invoke(self.engine, b"/2015-03-31/functions/%FF/invocations")
        body = self.assertApiError(r, 400, "ValidationException")
        self.assertIn("\ufffd", body["message"])

    def test_raw_byte_in_the_path(self):
        r = raw_invoke(self.engine, b"/2015-03-31/functions/h\xffllo/invocations")
        self.assertApiError(r, 400, "ValidationException")

    def test_raw_byte_in_an_unknown_path(self):
        raw = raw_exchange(self.engine.host, self.engine.port,
                           b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertApiError(parse_response(raw), 404, "UnknownOperationException")

    def test_qualifier(self):
        r = self.post("/2015-03-31/functions/hello/invocations?Qualifier=%FF")
        self.assertApiError(r, 404, "ResourceNotFoundException")
        r = self.post("/2015-03-31/functions/hello%3Aprod/invocations?Qualifier=%FF")
        self.assertApiError(r, 400, "InvalidParameterValueException")

    def test_invocation_type_header(self):
        r = raw_invoke(self.engine, headers=b"X-Amz-Invocation-Type: Ev\xffnt\r\n")
        self.assertApiError(r, 400, "InvalidParameterValueException")

    def test_log_type_header(self):
        r = raw_invoke(self.engine, headers=b"X-Amz-Log-Type: T\xc3il\r\n")
        self.assertApiError(r, 400, "InvalidParameterValueException")


class NotUtf8FromHandlers(EngineTestCase):
    """What a handler sends reaches the engine's JSON writer too."""

    def setUp(self):
        super().setUp()
        self.engine = self.start_engine({
            "probe": {"handler": PROBE, "timeout": 5},
            "probe_async": {"handler": PROBE, "timeout": 5, "async": {"max_retry_attempts": 0}},
        })

    def test_error_body_and_type_that_are_not_utf8(self):
        # Once, the caller never got an answer and the function's timeout was ignored.
        r = self.engine.invoke("probe", {"mode": "error_not_utf8"}, timeout=30)
        self.assertEqual(r.status, 200, str(r))
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", str(r))
        body = r.json()
        self.assertEqual(body["errorType"], "Probe.\ufffdBad", str(r))
        self.assertIn("not UTF-8", body["errorMessage"])
        self.engine.wait_log("probe", r'"error_not_utf8": 202')
        # The same instance takes the next event.
        self.assertIn("env", self.assertSuccess(self.engine.invoke("probe", {"mode": "env"})))

    def test_error_not_utf8_on_an_async_invocation_ends_each_attempt(self):
        # Once, each attempt hung until the idle timeout (300 s) instead of ending at the error.
        r = self.engine.invoke("probe_async", {"mode": "error_not_utf8"}, invocation_type="Event")
        self.assertEqual(r.status, 202, str(r))
        wait_until(lambda: self.status()["async"]["failed"] == 1, 30,
                   "the event recorded as failed after its one attempt")
        self.engine.wait_log("probe_async", r'"error_not_utf8": 202')

    def status(self) -> dict:
        return http_request(self.engine.host, self.engine.port, "GET", "/lambdaport/status", b"", {},
                            10).json()

    def test_raw_byte_in_a_runtime_api_path(self):
        out = self.assertSuccess(self.engine.invoke("probe", {"mode": "raw_path"}, timeout=30))
        self.assertEqual(out["raw_path_status"], 404)


class ClientContextLineBreaks(EngineTestCase):
    """Line breaks are JSON whitespace; copied raw into the /next headers they forged header lines
    (and killed the SDK's handler with Runtime.ExitError)."""

    CONTEXT = '{\r\n  "custom": {"k": "v"},\r\n  "env": {"locale": "en"}\r\n}'

    def setUp(self):
        super().setUp()
        self.engine = self.start_engine({"probe": {"handler": PROBE},
                                         "hello": {"handler": example("hello")}})
        self.encoded = base64.b64encode(self.CONTEXT.encode()).decode()

    def test_the_runtime_gets_compact_json(self):
        out = self.assertSuccess(self.engine.invoke("probe", {"mode": "env"},
                                                    client_context=self.encoded))
        headers = out["next_headers"]
        self.assertEqual(headers["lambda-runtime-client-context"],
                         '{"custom":{"k":"v"},"env":{"locale":"en"}}')
        self.assertEqual(json.loads(headers["lambda-runtime-client-context"]),
                         json.loads(self.CONTEXT))

    def test_an_sdk_handler_is_not_killed(self):
        self.assertSuccess(self.engine.invoke("hello", {"x": 1}, client_context=self.encoded))
        self.assertNotIn("Runtime.ExitError", self.engine.log("hello"))


class NotHttp(EngineTestCase):
    def setUp(self):
        super().setUp()
        self.engine = self.start_engine({"hello": {"handler": example("hello")}})

    def tearDown(self):
        self.assertSuccess(self.engine.invoke("hello", {"after": "not http"}))

    def test_garbage_gets_400(self):
        raw = raw_exchange(self.engine.host, self.engine.port, b"HELLO THERE\r\n\r\n")
        r = parse_response(raw)
        body = self.assertApiError(r, 400, "InvalidRequestContentException")
        self.assertIn("Malformed", body["message"])

    def test_bad_content_length_gets_400(self):
        raw = raw_exchange(self.engine.host, self.engine.port,
                           b"POST /2015-03-31/functions/hello/invocations HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Length: 12abc\r\n\r\n{}")
        self.assertApiError(parse_response(raw), 400, "InvalidRequestContentException")

    def test_oversized_header_gets_431(self):
        raw = raw_exchange(self.engine.host, self.engine.port,
                           b"POST /2015-03-31/functions/hello/invocations HTTP/1.1\r\nHost: x\r\n"
                           b"X-Padding: " + b"p" * 20_000 + b"\r\nContent-Length: 2\r\n\r\n{}")
        self.assertApiError(parse_response(raw), 431, "RequestHeaderFieldsTooLargeException")

    def test_a_large_client_context_header_still_fits(self):
        # The largest client context Lambda takes (3,583 bytes, 4,780 in base64) is no oversized header.
        context = json.dumps({"custom": {"pad": "x" * (3_583 - 23)}})
        self.assertLessEqual(len(context), 3_583)
        r = self.engine.invoke("hello", {}, client_context=base64.b64encode(context.encode()).decode())
        self.assertSuccess(r)


class LimitedEngine(Engine):
    """An engine started under `prlimit`, which sets the limit and then execs the engine (same PID)."""

    def command(self) -> list[str]:
        return ["prlimit", "--nofile=64:64", "--", *super().command()]


class DescriptorExhaustion(EngineTestCase):
    """With 64 descriptors and 80 connections, the accept loop once logged 808,331 warnings in 7 s
    and invocations timed out. Now connections are bounded, idle ones make room, and accept backs off."""

    def test_more_connections_than_descriptors(self):
        engine = LimitedEngine(self.tmp, {"hello": {"handler": example("hello"), "concurrency": 2,
                                                    "queue_size": 100}})
        self.engines.append(engine)
        engine.start()
        idle = []
        try:
            for _ in range(80):
                idle.append(socket.create_connection((engine.host, engine.port), timeout=10))
            results: list[Response | Exception] = []

            def call(i):
                try:
                    results.append(engine.invoke("hello", {"i": i}, timeout=60))
                except Exception as e:  # noqa: BLE001 (reported below)
                    results.append(e)

            threads = [threading.Thread(target=call, args=(i,)) for i in range(20)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(90)
            self.assertEqual(len(results), 20)
            for r in results:
                self.assertIsInstance(r, Response, str(r))
                self.assertSuccess(r)
        finally:
            for s in idle:
                s.close()
        warnings = engine.output().count("WARN accept failed")
        self.assertLess(warnings, 100, "the accept loop spins on a full descriptor table")
        self.assertSuccess(engine.invoke("hello", {"after": "exhaustion"}))


if __name__ == "__main__":
    unittest.main()
