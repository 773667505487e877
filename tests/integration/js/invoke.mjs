// Invokes a function through the real AWS SDK for JavaScript v3 (LambdaClient + InvokeCommand).
//
// Usage: node invoke.mjs '<json request>'
//   request: {"endpoint": "http://127.0.0.1:PORT", "functionName": "hello", "payload": <any JSON>,
//             "rawPayload": "<text sent as is>", "invocationType": "RequestResponse|Event|DryRun",
//             "logType": "None|Tail", "qualifier": "...", "clientContext": "<base64>",
//             "accessKeyId": "...", "secretAccessKey": "..." (default: the harness's credentials),
//             "systemClockOffset": <ms added to the clock the request is signed with>}
// Prints one JSON line on standard output:
//   success: {"ok": true, "statusCode", "executedVersion", "functionError", "logResult", "payload"}
//   SDK error: {"ok": false, "name", "message", "httpStatusCode", "fault"}
// Exits 0 in both cases (the test judges the result); 3 when the request itself is malformed.
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";

const request = JSON.parse(process.argv[2] ?? "null");
if (request === null || typeof request.endpoint !== "string" || typeof request.functionName !== "string") {
    process.stderr.write("usage: node invoke.mjs '{\"endpoint\":...,\"functionName\":...}'\n");
    process.exit(3);
}

const client = new LambdaClient({
    endpoint: request.endpoint,
    region: "us-east-1",
    credentials: {
        accessKeyId: request.accessKeyId ?? "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: request.secretAccessKey ?? "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
    systemClockOffset: request.systemClockOffset ?? 0,
    maxAttempts: 1,
});

const input = { FunctionName: request.functionName };
if (request.rawPayload !== undefined) {
    input.Payload = new TextEncoder().encode(request.rawPayload);
} else if (request.payload !== undefined) {
    input.Payload = new TextEncoder().encode(JSON.stringify(request.payload));
}
if (request.invocationType) input.InvocationType = request.invocationType;
if (request.logType) input.LogType = request.logType;
if (request.qualifier) input.Qualifier = request.qualifier;
if (request.clientContext) input.ClientContext = request.clientContext;

try {
    const out = await client.send(new InvokeCommand(input));
    process.stdout.write(JSON.stringify({
        ok: true,
        statusCode: out.StatusCode,
        executedVersion: out.ExecutedVersion ?? null,
        functionError: out.FunctionError ?? null,
        logResult: out.LogResult ?? null,
        payload: out.Payload ? new TextDecoder().decode(out.Payload) : null,
    }) + "\n");
} catch (err) {
    process.stdout.write(JSON.stringify({
        ok: false,
        name: err?.name ?? null,
        message: err?.message ?? String(err),
        httpStatusCode: err?.$metadata?.httpStatusCode ?? null,
        fault: err?.$fault ?? null,
    }) + "\n");
} finally {
    client.destroy();
}
