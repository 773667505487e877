#!/usr/bin/python3
"""A handler written directly against the Lambda Runtime API, used by test_isolation.py. Unlike
runtime_probe.py it opens a new connection for every request (as some runtime clients do), so each
request is a new connection the engine must admit. Behaviour per event:
  {"spawn": true}  starts `setsid sleep 1000` from a shell that exits at once (so the sleep leaves
                   the handler's process group, session and tree) and answers {"pid": its pid}
  {"sleep": S}     sleeps S seconds, then answers
  {"crash": true}  exits with status 3 without answering
  anything else    answers {"pid": the handler's pid, "ppid": its parent's}
"""

import http.client
import json
import os
import subprocess
import time

BASE = "/2018-06-01/runtime"
host, _, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rpartition(":")


def call(method, path, body=None):
    conn = http.client.HTTPConnection(host, int(port))
    try:
        conn.request(method, BASE + path, body=body, headers={"Connection": "close"})
        r = conn.getresponse()
        return r, r.read()
    finally:
        conn.close()


while True:
    r, data = call("GET", "/invocation/next")
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    event = json.loads(data) if data else {}
    if not isinstance(event, dict):
        event = {}
    if event.get("spawn"):
        out = subprocess.run(["sh", "-c", "setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $!"],
                             capture_output=True, text=True, check=True)
        answer = {"pid": int(out.stdout.strip())}
    elif "sleep" in event:
        time.sleep(float(event["sleep"]))
        answer = {"slept": event["sleep"]}
    elif event.get("crash"):
        os._exit(3)
    else:
        answer = {"pid": os.getpid(), "ppid": os.getppid()}
    call("POST", f"/invocation/{rid}/response", json.dumps(answer))
