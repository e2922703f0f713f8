/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, pinned in `suite/`) against the
 * fixture server: the 2025-11-25 server scenarios over both SDK lines (`/mcp-v1` on SDK v1, `/mcp` on SDK
 * v2) and the 2026-07-28 Tasks extension scenarios over `/mcp`. Each run must pass apart from its
 * checked-in expected failures (`expected-failures/*.yaml`, each with its reason); a baselined failure
 * that starts passing fails the run too, so the files stay true.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFixtureApp, type FixtureApp } from "../src/app.js";
import { EXPECTED_FAILURES_DIR, ensureSuite, runSuite, summary } from "./conformance-suite.js";

const TASKS_SCENARIOS = [
  "tasks-lifecycle",
  "tasks-capability-negotiation",
  "tasks-wire-fields",
  "tasks-request-state-removal",
  "tasks-mrtr-input",
  "tasks-request-headers",
  "tasks-dispatch-and-envelope",
  "tasks-status-notifications",
  "tasks-required-task-error",
  "tasks-mrtr-composition",
] as const;

const RUN_TIMEOUT_MS = 300_000;

let skipReason: string | undefined;
let fixture: FixtureApp;
let baseUrl = "";
let closeServer: () => Promise<void> = async () => {};
const outputDir = mkdtempSync(join(tmpdir(), "mcp-refcache-conformance-"));

beforeAll(async () => {
  skipReason = await ensureSuite();
  if (skipReason !== undefined) {
    if (process.env.CI === "true") throw new Error(`conformance suite unavailable: ${skipReason}`);
    console.warn(`skipping the MCP conformance suite: ${skipReason}`);
    return;
  }
  fixture = createFixtureApp();
  await new Promise<void>((resolve) => {
    const server = serve({ fetch: fixture.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      baseUrl = `http://127.0.0.1:${info.port}`;
      closeServer = () =>
        new Promise((done) => {
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          server.close(() => done());
        });
      resolve();
    });
  });
});

afterAll(async () => {
  await closeServer();
  await fixture?.close();
  rmSync(outputDir, { recursive: true, force: true });
});

async function expectConformant(path: string, args: string[], baseline: string): Promise<void> {
  if (skipReason !== undefined) return;
  const run = await runSuite(
    `${baseUrl}${path}`,
    [...args, "--expected-failures", join(EXPECTED_FAILURES_DIR, baseline), "-o", outputDir],
    RUN_TIMEOUT_MS,
  );
  expect(run.exitCode, summary(run.output)).toBe(0);
}

describe("MCP conformance suite, 2025-11-25 server scenarios", () => {
  it("passes on /mcp-v1 (SDK v1, @mcp-refcache/mcp)", async () => {
    await expectConformant("/mcp-v1", ["--spec-version", "2025-11-25"], "v1-2025-11-25.yaml");
  });

  it("passes on /mcp (SDK v2, @mcp-refcache/mcp-server)", async () => {
    await expectConformant("/mcp", ["--spec-version", "2025-11-25"], "v2-2025-11-25.yaml");
  });
});

describe("MCP conformance suite, 2026-07-28 Tasks extension (SEP-2663) on /mcp", () => {
  it.each(TASKS_SCENARIOS)("%s", async (scenario) => {
    await expectConformant("/mcp", ["--scenario", scenario], "v2-tasks-extension.yaml");
  });
});
