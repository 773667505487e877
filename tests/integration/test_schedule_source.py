"""The schedule event source: EventBridge rate(...) and cron(...) rules fire on time, with the Scheduled
Event JSON (or the rule's constant input), through the async queue; bad expressions stop start-up with one
line. EventBridge fires at most once a minute, so this module waits for real minutes (about 70 s)."""

import datetime
import json
import os
import re
import time
import unittest

from harness import HERE, EngineTestCase, example, http_request, wait_until

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def lines(path: str) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.endswith("\n")]
    except FileNotFoundError:
        return []


class ScheduleSource(EngineTestCase):
    def test_cron_and_rate_rules_fire_on_time(self):
        rec = os.path.join(self.tmp, "rec")
        os.makedirs(rec)
        functions = {
            "tick": {"handler": example("record"), "environment": {"RECORD_DIR": rec},
                     "events": {"EveryMinute": {"type": "schedule", "schedule": "cron(* * * * ? *)"}}},
            "rated": {"handler": example("record"), "environment": {"RECORD_DIR": rec},
                      "events": {"Rate": {"type": "schedule", "schedule": "rate(1 minute)",
                                          "input": {"job": "compact", "n": 3}}}},
        }
        started = time.time()
        self.start_engine(functions, engine={"account_id": "123456789012", "region": "eu-west-1"})
        ready = time.time()
        tick = wait_until(lambda: lines(os.path.join(rec, "tick.jsonl")), 75, "the cron rule's event")[0]
        rated = wait_until(lambda: lines(os.path.join(rec, "rated.jsonl")), 75, "the rate rule's event")[0]

        event = tick["event"]
        self.assertEqual(set(event), {"version", "id", "detail-type", "source", "account", "time", "region",
                                      "resources", "detail"})
        self.assertEqual(event["version"], "0")
        self.assertRegex(event["id"], UUID)
        self.assertEqual(event["detail-type"], "Scheduled Event")
        self.assertEqual(event["source"], "aws.events")
        self.assertEqual(event["account"], "123456789012")
        self.assertEqual(event["region"], "eu-west-1")
        self.assertEqual(event["resources"], ["arn:aws:events:eu-west-1:123456789012:rule/tick-EveryMinute"])
        self.assertEqual(event["detail"], {})
        self.assertRegex(event["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$")
        fired = datetime.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        # On time: the first whole minute after the start, and the handler ran at that minute, never
        # before it (the slack only absorbs a busy machine; EventBridge itself promises a minute).
        # The rule starts somewhere between `started` and `ready`: the same minute follows both
        # unless start-up straddled a minute boundary, and then either is right.
        self.assertIn(fired, {(int(started) // 60 + 1) * 60, (int(ready) // 60 + 1) * 60})
        self.assertGreaterEqual(tick["t_ns"] / 1e9, fired)
        self.assertLess(tick["t_ns"] / 1e9, fired + 10)

        # A rate rule fires one period after it starts, with its constant input instead of the event.
        self.assertEqual(rated["event"], {"job": "compact", "n": 3})
        self.assertGreaterEqual(rated["t_ns"] / 1e9, started + 60 - 1)
        self.assertLess(rated["t_ns"] / 1e9, started + 60 + 10)

    def test_a_firing_waits_while_the_async_queue_is_full(self):
        gate, seen = os.path.join(self.tmp, "gate"), os.path.join(self.tmp, "seen.jsonl")
        functions = {"gated": {
            "handler": os.path.join(HERE, "handlers", "gated_recorder.py"), "concurrency": 1, "timeout": 300,
            "environment": {"GATE_FILE": gate, "RECORD_FILE": seen},
            "events": {"Tick": {"type": "schedule", "schedule": "cron(* * * * ? *)"}}}}
        engine = self.start_engine(functions, engine={"async_queue_limit": 1})
        # The one place in the queue is taken (the handler holds the event until the gate opens).
        r = engine.invoke("gated", {"marker": "first"}, invocation_type="Event")
        self.assertEqual(r.status, 202, str(r))
        engine.wait_output(r"async queue full; event source waits .*source=gated/Tick", 75)

        with open(gate, "w"):
            pass
        wait_until(lambda: len(lines(seen)) >= 2, 30, "both events handled")
        got = lines(seen)
        self.assertEqual([(x["marker"], x["source"]) for x in got],
                         [("first", None), (None, "aws.events")], "the firing was delivered, once")
        status = http_request(engine.host, engine.port, "GET", "/lambdaport/status", b"", {}, 10).json()
        self.assertEqual(status["sources"][0]["delivered"], 1, status)
        self.assertEqual(status["sources"][0]["backlog"], 0, status)

    def test_invalid_expressions_stop_start_up_with_one_line(self):
        cases = {
            "rate(1 minutes)": "rate(1 minutes)",
            "rate(0 minutes)": "rate(0 minutes)",
            "cron(0 12 * * * *)": "cron(0 12 * * * *)",
            "cron(0 12 * * ?)": "cron(0 12 * * ?)",
            "every 5 minutes": "every 5 minutes",
        }
        for expression, named in cases.items():
            with self.subTest(expression=expression):
                engine_dir = os.path.join(self.tmp, f"bad-{abs(hash(expression))}")
                os.makedirs(engine_dir)
                config = os.path.join(engine_dir, "config.json")
                with open(config, "w") as f:
                    json.dump({"functions": {"f": {"handler": example("record"), "events": {
                        "Tick": {"type": "schedule", "schedule": expression}}}}}, f)
                import subprocess
                from harness import engine_binary
                p = subprocess.run([engine_binary(), "serve", "--config", config, "--listen", "127.0.0.1:0",
                                    "--state", os.path.join(engine_dir, "state")],
                                   capture_output=True, text=True, timeout=30)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, "")
                err = p.stderr.strip()
                self.assertEqual(len(err.splitlines()), 1, err)
                self.assertTrue(err.startswith(f"lambdaport: {config}: functions.f.events.Tick.schedule: "),
                                err)
                self.assertIn(named, err)


if __name__ == "__main__":
    unittest.main()
