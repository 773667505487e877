"""JSON nested far deeper than any real event: the parser reads it without recursion, but copying
or writing such a value recurses once per level and overflows the stack.

- A 70,000-deep (140 KB) event and a 6 MB one to the `hello` handler: the SDK answers a
  Runtime.UnmarshalError function error instead of dying of a segmentation fault, the same handler
  process serves the next invocation, and the engine goes on.
- A 1 MB asynchronous event nested 500,000 deep, to a function that fails: the engine writes the
  failure record with the payload as it came, instead of dying while writing it.
"""

import json
import os
import unittest

from harness import MAX_SYNC_BODY, EngineTestCase, example, executable_of, wait_until


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


class NestedJson(EngineTestCase):
    def hello_processes(self, engine) -> set[int]:
        return {p for p in engine.handler_pids() if executable_of(p) == example("hello")}

    def test_an_event_nested_70000_deep_is_a_function_error_and_the_handler_lives_on(self):
        engine = self.start_engine({"hello": {"handler": example("hello")}})
        self.assertSuccess(engine.invoke("hello", {"before": 1}))
        before = self.hello_processes(engine)
        self.assertEqual(len(before), 1)

        for depth in (70_000, MAX_SYNC_BODY // 2):
            with self.subTest(depth=depth):
                body = self.assertFunctionError(engine.invoke("hello", raw=nested(depth)),
                                                "Runtime.UnmarshalError")
                self.assertEqual(body["errorMessage"], "the event is nested more than 1000 levels deep")

        # No crash: the same process answers next, and the engine is still there.
        out = self.assertSuccess(engine.invoke("hello", {"after": 2}))
        self.assertEqual(out["event"], {"after": 2})
        self.assertEqual(self.hello_processes(engine), before)
        self.assertNotIn("instance exited", engine.output())
        self.assertTrue(engine.running())

    def test_a_failed_async_event_nested_500000_deep_is_recorded_as_it_came(self):
        failures = os.path.join(self.tmp, "failures")
        engine = self.start_engine({"hello": {
            "handler": example("hello"),
            "async": {"max_retry_attempts": 0, "failure_destination": failures}}})
        payload = nested(500_000)  # 1,000,000 bytes: within the 1 MB asynchronous limit
        self.assertEqual(engine.invoke("hello", raw=payload, invocation_type="Event").status, 202)

        def record():
            names = os.listdir(failures) if os.path.isdir(failures) else []
            done = [n for n in names if n.endswith(".json")]
            if not done:
                return None
            with open(os.path.join(failures, done[0]), "rb") as f:
                return f.read()

        text = wait_until(record, 30, "the failure record")
        # Python's json module cannot read the payload itself (its recursion limit), so the record
        # is checked with the payload cut out: it is there byte for byte.
        marker = b'"requestPayload":' + payload
        self.assertIn(marker, text)
        doc = json.loads(text.replace(marker, b'"requestPayload":null'))
        self.assertEqual(doc["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(doc["responsePayload"]["errorType"], "Runtime.UnmarshalError")
        self.assertTrue(engine.running())
        self.assertSuccess(engine.invoke("hello", {"after": 1}))


if __name__ == "__main__":
    unittest.main()
