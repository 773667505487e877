#!/usr/bin/python3
"""A handler that holds every invocation until a gate file exists, then notes it down: used by
test_async.py to keep Event invocations pending in the engine's queue for as long as a test needs,
then to count what ran. Written against the Runtime API directly (no SDK), so it costs nothing to
build.

Environment:
  GATE_FILE    invocations wait (polling) until this file exists; unset: no wait
  RECORD_FILE  each invocation appends one JSON line {"request_id", "marker", "source", "key",
               "bytes"}: the event's "marker" and "source" (aws.events for a schedule), the object
               key of an S3 notification, the payload's size.
               One write(2) with O_APPEND per line, so a line is whole or absent.
"""

import http.client
import json
import os
import time

BASE = "/2018-06-01/runtime"
host, _, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rpartition(":")
conn = http.client.HTTPConnection(host, int(port))  # one kept-alive connection, no timeout on /next
gate = os.environ.get("GATE_FILE")
record_file = os.environ.get("RECORD_FILE")

while True:
    conn.request("GET", BASE + "/invocation/next")
    r = conn.getresponse()
    body = r.read()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    while gate and not os.path.exists(gate):
        time.sleep(0.02)
    try:
        event = json.loads(body)
    except ValueError:
        event = None
    line = {"request_id": rid, "bytes": len(body), "marker": None, "source": None, "key": None}
    if isinstance(event, dict):
        line["marker"] = event.get("marker")
        line["source"] = event.get("source")
        records = event.get("Records")
        if isinstance(records, list) and records and isinstance(records[0], dict):
            line["key"] = records[0].get("s3", {}).get("object", {}).get("key")
    if record_file:
        fd = os.open(record_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, (json.dumps(line) + "\n").encode())
        finally:
            os.close(fd)
    conn.request("POST", f"{BASE}/invocation/{rid}/response", json.dumps({"ok": True}))
    conn.getresponse().read()
