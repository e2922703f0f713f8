/**
 * `pnpm start`: starts the harness on a free port, plays the scripted demo against it with real MCP
 * clients and real HTTP, prints what happened, and exits. `pnpm start -- --serve [--port N]` keeps serving.
 */
import { parseArgs } from "node:util";
import { LOCALHOST_NAMES } from "@mcp-refcache/hono";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { createHarnessApp } from "./app.js";
import { runDemo } from "./demo.js";
import { buildV2Server } from "./mcp-endpoints.js";
import { startServer } from "./server.js";
import { createHarnessCache, DEFAULT_MAX_ACTIVE_TASKS, wholeNumber } from "./settings.js";
import { createStores } from "./stores.js";
import { storeDemoSecret } from "./tools.js";

const HELP = `usage: pnpm start [-- --serve [--port N] | --stdio]

  (no flags)   start on a free port, run the scripted demo (MCP v2, MCP v1, HTTP), print it, exit
  --serve      keep serving; open the printed URL for the live page of tasks
  --port N     port for --serve (default 3000; 0 picks a free one)
  --max-active-tasks N   tasks that may run at once (default 100); more get CAPACITY_EXCEEDED
  --allowed-host NAME    a Host name to serve besides localhost ones (repeatable; e.g. behind a proxy)
  --allowed-origin URL   a browser Origin allowed to call (repeatable; default: http(s) on an allowed host)
  --stdio      serve the demo tools over MCP on stdin/stdout (for clients that launch servers)

Environment: REDIS_URL=redis://host:6379 keeps tasks and values in Redis instead of memory.`;

async function main(): Promise<number> {
  // pnpm 10 hands a `--` through to the script (`pnpm start -- --serve` runs `main.js -- --serve`): drop it.
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args: args[0] === "--" ? args.slice(1) : args,
    options: {
      serve: { type: "boolean" },
      stdio: { type: "boolean" },
      port: { type: "string" },
      "max-active-tasks": { type: "string" },
      "allowed-host": { type: "string", multiple: true },
      "allowed-origin": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  // Digits only: Number("") and Number(" ") are 0, which would silently pick a random port.
  const port = values.port === undefined ? (values.serve ? 3000 : 0) : wholeNumber(values.port);
  if (port === undefined || port > 65_535) {
    console.error(`--port must be a whole number from 0 to 65535, got "${values.port}"`);
    return 2;
  }
  const maxActiveTasks =
    values["max-active-tasks"] === undefined ? DEFAULT_MAX_ACTIVE_TASKS : wholeNumber(values["max-active-tasks"]);
  if (maxActiveTasks === undefined || maxActiveTasks < 1) {
    console.error(`--max-active-tasks must be a whole number of at least 1, got "${values["max-active-tasks"]}"`);
    return 2;
  }

  const stores = await createStores(process.env.REDIS_URL);
  const cache = createHarnessCache(stores.options, maxActiveTasks);
  // The server-provided secret partner_api uses by reference (execute-only: no client can read it).
  await storeDemoSecret(cache);
  if (values.stdio) {
    // stdout carries the protocol: say nothing there.
    console.error(`mcp-refcache harness on stdio (${stores.description})`);
    serveStdio(() => buildV2Server(cache));
    await new Promise<void>((resolve) => process.stdin.once("end", resolve));
    await cache.close();
    await stores.close();
    return 0;
  }
  const allowedHosts = values["allowed-host"];
  const allowedOrigins = values["allowed-origin"];
  const harness = createHarnessApp(cache, {
    ...(allowedHosts === undefined ? {} : { allowedHosts: [...LOCALHOST_NAMES, ...allowedHosts] }),
    ...(allowedOrigins === undefined ? {} : { allowedOrigins }),
  });
  const server = await startServer(harness.app, port);
  console.log(`mcp-refcache harness on ${server.url} (${stores.description})`);
  const shutdown = async () => {
    await server.close();
    await harness.close();
    await cache.close();
    await stores.close();
  };

  if (values.serve) {
    console.log(`  live page:  ${server.url}/`);
    console.log(`  MCP (SDK v2, 2025- and 2026-era clients): ${server.url}/mcp`);
    console.log(`  MCP (SDK v1, native 2025-11-25 tasks):    ${server.url}/mcp-v1`);
    console.log(
      `  REST:       ${server.url}/refcache/tasks/:refId (…/events, DELETE), ${server.url}/refcache/refs/:refId`,
    );
    console.log("Press Ctrl+C to stop.");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    console.log("\nstopping…");
    await shutdown();
    return 0;
  }

  try {
    const outcomes = await runDemo(server.url, (line) => console.log(line));
    console.log("\nsummary:");
    // One column as wide as the longest "via" (one of them runs to 37 characters).
    const viaWidth = Math.max(...outcomes.map((o) => o.via.length));
    for (const o of outcomes)
      console.log(`  ${o.via.padEnd(viaWidth)} ${o.scenario.padEnd(14)} ${o.immediate} → ${o.status}`);
    for (const o of outcomes.filter((outcome) => outcome.references !== undefined)) {
      const r = o.references as NonNullable<typeof o.references>;
      console.log(
        `  ${o.via.padEnd(viaWidth)} references     ${r.count} rows summed by reference (${r.sum === r.expectedSum ? "exact" : "WRONG"}), ` +
          `secret ${r.secretRefused ? "unreadable" : "READABLE"}${r.secretUsed === undefined ? "" : r.secretUsed ? ", used" : ", NOT USED"}`,
      );
    }
    return 0;
  } finally {
    await shutdown();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`harness: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
