#!/usr/bin/env bash
# The main job, for now: install dependencies, build, start `lambdaport serve` with the example handlers
# hello and fail, invoke them with `lambdaport invoke` and with the AWS CLI, then stop the engine.
#   scripts/demo.sh            (listens on 127.0.0.1:3001, or a free port if 3001 is taken)
# Set LAMBDAPORT_DEMO_SKIP_BUILD=1 to use an existing build/ as is.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [[ -z ${LAMBDAPORT_DEMO_SKIP_BUILD:-} ]]; then
  scripts/setup.sh
  scripts/build.sh build
fi

bin=$root/build/runtime/lambdaport
examples=$root/build/examples
work=$(mktemp -d "${TMPDIR:-/tmp}/lambdaport-demo.XXXXXX")
engine_pid=""

cleanup() {
  if [[ -n $engine_pid ]] && kill -0 "$engine_pid" 2>/dev/null; then
    kill -TERM "$engine_pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$engine_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$engine_pid" 2>/dev/null || true
    wait "$engine_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# 3001 is lambdaport's default (what `sam local start-lambda` users type); fall back to a free port.
listen=127.0.0.1:3001
if (exec 3<>/dev/tcp/127.0.0.1/3001) 2>/dev/null; then
  listen=127.0.0.1:0
fi

cat >"$work/config.json" <<JSON
{
  "functions": {
    "hello": { "handler": "$examples/hello/hello", "timeout": 3, "environment": { "GREETING": "hi" } },
    "fail":  { "handler": "$examples/fail/fail" }
  }
}
JSON

if [[ -t 1 ]]; then
  banner() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
  banner() { printf '\n== %s\n' "$*"; }
fi

banner "lambdaport serve --config config.json --listen $listen"
"$bin" serve --config "$work/config.json" --listen "$listen" --state "$work/state" 2>"$work/engine.log" &
engine_pid=$!

address=""
for _ in $(seq 200); do
  address=$(sed -nE 's/.*listening address=([0-9.]+:[0-9]+).*/\1/p' "$work/engine.log" | head -n 1)
  [[ -n $address ]] && break
  kill -0 "$engine_pid" 2>/dev/null || break
  sleep 0.05
done
if [[ -z $address ]]; then
  echo "demo: lambdaport did not start:" >&2
  cat "$work/engine.log" >&2
  exit 1
fi
endpoint=http://$address
echo "engine pid $engine_pid, Invoke API at $endpoint"

banner "lambdaport invoke hello --payload '{\"name\":\"demo\"}'"
"$bin" invoke hello --payload '{"name":"demo"}' --endpoint "$endpoint"

banner "lambdaport invoke fail --payload '{\"mode\":\"typed\"}'   (a function error: exit status 1)"
status=0
"$bin" invoke fail --payload '{"mode":"typed"}' --endpoint "$endpoint" || status=$?
echo "exit status $status"
if ((status != 1)); then
  echo "demo: expected exit status 1 for a function error" >&2
  exit 1
fi

# The AWS CLI v2 with dummy credentials and no user configuration.
aws_cli() {
  env -u AWS_PROFILE -u AWS_SESSION_TOKEN HOME="$work" AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo \
    AWS_DEFAULT_REGION=us-east-1 AWS_PAGER= AWS_CONFIG_FILE="$work/none" \
    AWS_SHARED_CREDENTIALS_FILE="$work/none" AWS_MAX_ATTEMPTS=1 /usr/bin/aws "$@"
}

banner "aws lambda invoke --endpoint-url $endpoint --function-name hello --log-type Tail ..."
aws_cli lambda invoke --endpoint-url "$endpoint" --function-name hello \
  --cli-binary-format raw-in-base64-out --payload '{"from":"aws cli"}' --log-type Tail \
  --output json "$work/out.json" | tee "$work/meta.json"
echo "response payload:"
cat "$work/out.json"
echo
echo "decoded LogResult:"
sed -nE 's/.*"LogResult": "([^"]*)".*/\1/p' "$work/meta.json" | base64 -d
echo

banner "aws lambda invoke --function-name fail"
aws_cli lambda invoke --endpoint-url "$endpoint" --function-name fail \
  --cli-binary-format raw-in-base64-out --payload '{"mode":"typed"}' --output json "$work/out.json"
cat "$work/out.json"
echo

banner "state folder: logs/hello.log"
cat "$work/state/logs/hello.log" 2>/dev/null || echo "(no log file)"

banner "stopping the engine (pid $engine_pid)"
kill -TERM "$engine_pid"
wait "$engine_pid" && echo "engine stopped cleanly" || echo "engine exited with status $?"
engine_pid=""
