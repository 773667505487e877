"""The AWS SDK for JavaScript v3 (`InvokeCommand`, pinned in js/package-lock.json) against lambdaport.

Needs js/node_modules: `npm ci` in tests/integration/js (scripts/test.sh runs it). Without it every test
here fails, saying so."""

import base64
import json
import unittest

from harness import EngineTestCase, b64, example, function_arn


class JsSdkInvoke(EngineTestCase):
    def setUp(self):
        super().setUp()
        self.engine = self.start_engine({
            "hello": {"handler": example("hello"), "environment": {"GREETING": "hi"}},
            "fail": {"handler": example("fail")},
        })

    def test_sync_invoke_payload(self):
        event = {"from": "js", "n": [1, 2, 3]}
        r = self.js_invoke(self.engine, "hello", payload=event)
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["statusCode"], 200)
        self.assertEqual(r["executedVersion"], "$LATEST")
        self.assertIsNone(r["functionError"])
        out = json.loads(r["payload"])
        self.assertEqual(out["event"], event)
        self.assertEqual(out["context"]["invoked_function_arn"], function_arn("hello"))
        self.assertEqual(out["env"]["GREETING"], "hi")

    def test_function_error(self):
        r = self.js_invoke(self.engine, "fail", payload={"mode": "typed"})
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["statusCode"], 200)
        self.assertEqual(r["functionError"], "Unhandled")
        err = json.loads(r["payload"])
        self.assertEqual(err["errorType"], "Validation.BadInput")
        self.assertIn("errorMessage", err)

    def test_log_result(self):
        r = self.js_invoke(self.engine, "hello", payload={}, logType="Tail")
        self.assertTrue(r["ok"], r)
        log = base64.b64decode(r["logResult"]).decode()
        rid = json.loads(r["payload"])["context"]["request_id"]
        self.assertIn(f"START RequestId: {rid}", log)
        self.assertIn(f"hello: handling {rid}", log)
        self.assertIn(f"END RequestId: {rid}", log)
        self.assertIn(f"REPORT RequestId: {rid}", log)

    def test_client_context(self):
        cc = {"custom": {"from": "js"}}
        r = self.js_invoke(self.engine, "hello", payload={}, clientContext=b64(cc))
        self.assertTrue(r["ok"], r)
        seen = json.loads(r["payload"])["context"]["client_context"]
        self.assertEqual(json.loads(seen) if isinstance(seen, str) else seen, cc)

    def test_event_and_dry_run(self):
        r = self.js_invoke(self.engine, "hello", payload={"e": 1}, invocationType="Event")
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["statusCode"], 202)
        r = self.js_invoke(self.engine, "hello", payload={"d": 1}, invocationType="DryRun")
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["statusCode"], 204)

    def test_qualified_arn(self):
        r = self.js_invoke(self.engine, function_arn("hello"), payload={"q": 1}, qualifier="$LATEST")
        self.assertTrue(r["ok"], r)
        self.assertEqual(json.loads(r["payload"])["event"], {"q": 1})

    def test_resource_not_found(self):
        r = self.js_invoke(self.engine, "no-such-function", payload={})
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["name"], "ResourceNotFoundException")
        self.assertEqual(r["httpStatusCode"], 404)
        self.assertEqual(r["fault"], "client")

    def test_invalid_request_content(self):
        r = self.js_invoke(self.engine, "hello", rawPayload="{not json")
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["name"], "InvalidRequestContentException")
        self.assertEqual(r["httpStatusCode"], 400)


if __name__ == "__main__":
    unittest.main()
