// Starts fauxqs (pinned in package.json) on 127.0.0.1 only: its own command line binds every
// interface. Usage: node fauxqs.mjs [PORT]  (0 or none: any free port). Prints one line,
// "fauxqs listening on 127.0.0.1:<port>", once it accepts connections; stops on SIGTERM.
import { buildApp } from "fauxqs";

const port = Number(process.argv[2] ?? 0);
const app = buildApp({ logger: false });
const address = await app.listen({ port, host: "127.0.0.1" });
console.log(`fauxqs listening on ${new URL(address).host}`);
process.on("SIGTERM", async () => {
  await app.close();
  process.exit(0);
});
