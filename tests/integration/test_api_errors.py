"""Every error of the Invoke API itself, checked on the wire: status, x-amzn-ErrorType, JSON body."""

import json
import socket
import threading
import unittest

from harness import (MAX_RESPONSE, MAX_SYNC_BODY, EngineTestCase, Response, example, function_arn,
                     http_request, wait_until)


class InvokeApiErrors(EngineTestCase):
    def setUp(self):
        super().setUp()
        self.engine = self.start_engine({
            "hello": {"handler": example("hello")},
            "fail": {"handler": example("fail")},
            "busy": {"handler": example("sleep"), "concurrency": 1, "queue_size": 1, "timeout": 30},
        })

    # 404

    def test_unknown_function(self):
        body = self.assertApiError(self.engine.invoke("no-such-function", {}), 404,
                                   "ResourceNotFoundException")
        self.assertEqual(body["Type"], "User")
        self.assertIn("no-such-function", body["message"])

    def test_unknown_function_by_arn(self):
        self.assertApiError(self.engine.invoke(function_arn("nope"), {}), 404, "ResourceNotFoundException")

    def test_unknown_qualifier_in_query(self):
        self.assertApiError(self.engine.invoke("hello", {}, qualifier="7"), 404, "ResourceNotFoundException")

    def test_unknown_qualifier_in_name(self):
        self.assertApiError(self.engine.invoke("hello:prod", {}), 404, "ResourceNotFoundException")

    # 413

    def test_body_over_6_mb_is_rejected(self):
        body = b'{"pad":"' + b"x" * (MAX_SYNC_BODY - 9) + b'"}'
        self.assertEqual(len(body), MAX_SYNC_BODY + 1)
        try:
            r = self.engine.invoke("hello", raw=body)
        except (BrokenPipeError, ConnectionResetError) as e:
            self.fail(f"the engine closed the connection while the client was still sending the "
                      f"{len(body)}-byte body ({e!r}): the client never sees the 413")
        self.assertApiError(r, 413, "RequestEntityTooLargeException")
        self.assertSuccess(self.engine.invoke("hello", {"after": "413"}))

    def test_body_of_exactly_6_mb_is_accepted(self):
        body = b'{"mode":"typed","pad":"' + b"x" * (MAX_SYNC_BODY - 25) + b'"}'
        self.assertEqual(len(body), MAX_SYNC_BODY)
        r = self.engine.invoke("fail", raw=body)
        self.assertFunctionError(r, "Validation.BadInput")

    # 400

    def test_body_that_is_not_json(self):
        r = self.engine.invoke("hello", raw=b"{this is not json")
        body = self.assertApiError(r, 400, "InvalidRequestContentException")
        self.assertEqual(body["Type"], "User")
        self.assertNotIn("START RequestId:", self.engine.log("hello"))

    def test_truncated_json(self):
        self.assertApiError(self.engine.invoke("hello", raw=b'{"a": [1, 2'), 400,
                            "InvalidRequestContentException")

    # 429

    def test_full_queue_is_throttled(self):
        # concurrency 1 + queue_size 1: one invocation running, one waiting, the next is refused.
        results: dict[str, Response] = {}

        def call(key, seconds):
            results[key] = self.engine.invoke("busy", {"seconds": seconds}, timeout=60)

        first = threading.Thread(target=call, args=("first", 3))
        first.start()
        try:
            self.engine.wait_log("busy", r"START RequestId:", timeout=15)
            second = threading.Thread(target=call, args=("second", 0))
            third = threading.Thread(target=call, args=("third", 0))
            second.start()
            third.start()
            second.join(60)
            third.join(60)
        finally:
            first.join(60)
        statuses = sorted(results[k].status for k in ("second", "third"))
        self.assertEqual(statuses, [200, 429], {k: str(v) for k, v in results.items()})
        throttled = next(results[k] for k in ("second", "third") if results[k].status == 429)
        body = self.assertApiError(throttled, 429, "TooManyRequestsException")
        if "Reason" in body:
            self.assertIsInstance(body["Reason"], str)
        self.assertSuccess(results["first"])
        # The engine still serves the function once it is free.
        self.assertSuccess(self.engine.invoke("busy", {"seconds": 0}))

    # the engine answers every call with a well-formed HTTP response, never a hang

    def test_unknown_path(self):
        r = http_request(self.engine.host, self.engine.port, "GET", "/nope", b"", {}, 10)
        self.assertGreaterEqual(r.status, 400)
        self.assertLess(r.status, 500)

    def test_engine_serves_after_a_client_drops_mid_request(self):
        with socket.create_connection((self.engine.host, self.engine.port), timeout=10) as s:
            s.sendall(b"POST /2015-03-31/functions/hello/invocations HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: 1000\r\n\r\n{\"partial\":")
        self.assertSuccess(self.engine.invoke("hello", {"after": "drop"}))


class ResponseTooLarge(EngineTestCase):
    def test_response_over_the_limit_is_a_function_error(self):
        engine = self.start_engine({"hello": {"handler": example("hello"), "timeout": 30}})
        r = engine.invoke("hello", {"response_bytes": 6_291_600})
        self.assertGreater(6_291_600, MAX_RESPONSE)
        body = self.assertFunctionError(r, "Function.ResponseSizeTooLarge")
        self.assertLess(len(r.body), 10_000, "the caller gets the error, not the oversized response")
        self.assertTrue(body["errorMessage"])
        # The next invocation of the same function is healthy.
        out = self.assertSuccess(engine.invoke("hello", {"after": "too large"}))
        self.assertEqual(out["event"], {"after": "too large"})

    def test_response_just_under_the_limit_is_delivered(self):
        engine = self.start_engine({"hello": {"handler": example("hello"), "timeout": 30}})
        # A JSON string of N 'x' is N + 2 bytes.
        r = engine.invoke("hello", {"response_bytes": MAX_RESPONSE - 2})
        self.assertSuccess(r)
        self.assertEqual(len(r.body), MAX_RESPONSE)
        self.assertEqual(json.loads(r.body), "x" * (MAX_RESPONSE - 2))


if __name__ == "__main__":
    unittest.main()
