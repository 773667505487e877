#!/usr/bin/python3
"""A handler written directly against the Lambda Runtime API (no lambdaport SDK), used by
test_runtime_api.py to check what the engine's Runtime API answers: headers, status codes and error
bodies, and the environment a handler process gets. Behaviour is chosen per invocation by the event's
"mode"; observations are returned in the response or, for what happens after the response, printed
as one `probe: {json}` line to standard output (which lands in the function's log).
"""

import http.client
import json
import os
import socket
import sys

BASE = "/2018-06-01/runtime"
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
host, _, port = api.rpartition(":")
conn = http.client.HTTPConnection(host, int(port))  # one kept-alive connection, no timeout on /next

ENV_NAMES = [
    "AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_DEFAULT_REGION", "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR", "_HANDLER", "TZ", "PATH", "PROBE_SETTING",
]


def call(method, path, body=None, headers=None):
    conn.request(method, BASE + path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = data.decode(errors="replace")
    return {"status": r.status, "body": parsed, "headers": {k.lower(): v for k, v in r.getheaders()}}


def probe(record):
    print("probe: " + json.dumps(record), flush=True)


if os.environ.get("PROBE_INIT_ERROR") == "1":
    r = call("POST", "/init/error",
             json.dumps({"errorType": "Probe.InitFailed", "errorMessage": "init failed on purpose"}),
             {"Lambda-Runtime-Function-Error-Type": "Probe.InitFailed"})
    probe({"init_error": r["status"]})
    sys.exit(1)

while True:
    nxt = call("GET", "/invocation/next")
    h = nxt["headers"]
    rid = h.get("lambda-runtime-aws-request-id")
    event = nxt["body"] if isinstance(nxt["body"], dict) else {}
    mode = event.get("mode", "env")

    if mode == "env":
        call("POST", f"/invocation/{rid}/response", json.dumps({
            "env": {k: os.environ.get(k) for k in ENV_NAMES},
            "next_status": nxt["status"],
            "next_headers": {k: v for k, v in h.items() if k.startswith("lambda-runtime-")},
            "event": nxt["body"],
        }))

    elif mode == "ids":
        bogus = call("POST", "/invocation/00000000-0000-0000-0000-000000000000/response", "{}")
        ok = call("POST", f"/invocation/{rid}/response", json.dumps({"bogus": bogus}))
        again = call("POST", f"/invocation/{rid}/response", json.dumps({"again": True}))
        error_after = call("POST", f"/invocation/{rid}/error",
                           json.dumps({"errorType": "X.Y", "errorMessage": "late"}))
        probe({"request_id": rid, "ok": ok, "again": again, "error_after": error_after})

    elif mode == "too_large":
        size = event["bytes"]
        body = '"' + "x" * (size - 2) + '"'
        r = call("POST", f"/invocation/{rid}/response", body)
        probe({"request_id": rid, "too_large": r})

    elif mode == "error_bare":
        # Some runtime clients send no body and no header: the engine must still fail the invocation.
        r = call("POST", f"/invocation/{rid}/error", b"")
        probe({"request_id": rid, "error_bare": r["status"]})

    elif mode == "error_header":
        r = call("POST", f"/invocation/{rid}/error", b"",
                 {"Lambda-Runtime-Function-Error-Type": "Probe.HeaderOnly"})
        probe({"request_id": rid, "error_header": r["status"]})

    elif mode == "error_body":
        r = call("POST", f"/invocation/{rid}/error",
                 json.dumps({"errorType": "Probe.Body", "errorMessage": "from the body",
                             "stackTrace": ["frame 1", "frame 2"]}),
                 {"Lambda-Runtime-Function-Error-Type": "Probe.Body",
                  "Content-Type": "application/vnd.aws.lambda.error+json"})
        probe({"request_id": rid, "error_body": r["status"]})

    elif mode == "unknown_path":
        r = call("GET", "/no/such/path")
        call("POST", f"/invocation/{rid}/response", json.dumps({"unknown_path": r}))

    elif mode == "error_not_utf8":
        # Bytes that are not UTF-8 in the error body and in the error-type header: the engine
        # must still answer the caller (its JSON writer replaces them) and take the next event.
        r = call("POST", f"/invocation/{rid}/error", b"\xff\xfe not UTF-8 \xc3",
                 {"Lambda-Runtime-Function-Error-Type": b"Probe.\xffBad"})
        probe({"request_id": rid, "error_not_utf8": r["status"]})

    elif mode == "raw_path":
        # A request line with a byte that is not UTF-8, sent as raw bytes on a new connection.
        with socket.create_connection((host, int(port))) as s:
            s.sendall(b"GET /2018-06-01/runtime/\xff HTTP/1.1\r\nHost: x\r\n\r\n")
            raw = b""
            while b"\r\n\r\n" not in raw:
                chunk = s.recv(4096)
                if not chunk:
                    break
                raw += chunk
        status = int(raw.split(b" ")[1]) if raw.startswith(b"HTTP/1.1 ") else None
        call("POST", f"/invocation/{rid}/response", json.dumps({"raw_path_status": status}))

    else:
        call("POST", f"/invocation/{rid}/response", json.dumps({"unknown_mode": mode}))
