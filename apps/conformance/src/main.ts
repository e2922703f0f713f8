/**
 * `node dist/main.js [--port N]`: serves the fixture on 127.0.0.1 (default port 3939) for running the
 * conformance suite by hand: `conformance server --url http://127.0.0.1:3939/mcp`.
 */
import { serve } from "@hono/node-server";
import { createFixtureApp } from "./app.js";

const portFlag = process.argv.indexOf("--port");
const port = portFlag === -1 ? 3939 : Number(process.argv[portFlag + 1]);
const fixture = createFixtureApp();
const server = serve({ fetch: fixture.app.fetch, port, hostname: "127.0.0.1" }, (info) => {
  console.log(`conformance fixture on http://127.0.0.1:${info.port}/mcp (SDK v2) and /mcp-v1 (SDK v1)`);
});
process.once("SIGINT", () => {
  server.close();
  void fixture.close();
});
