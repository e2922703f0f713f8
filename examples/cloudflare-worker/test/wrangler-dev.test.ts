// The one-command local run the README promises: `wrangler dev` (on a Node 22 taken from npm) serves the
// Worker of wrangler.jsonc with its Durable Objects, and the state it persists survives a restart.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../../packages/cloudflare/test/workerd-process.js";
import { until } from "./example-worker.js";
import { node22 } from "./node22.js";

const exampleDir = fileURLToPath(new URL("..", import.meta.url));
const node = node22();
const missing = "missing" in node ? node.missing : undefined;
if (missing !== undefined && process.env.CI === "true") throw new Error(`wrangler needs Node 22 under CI: ${missing}`);
if (missing !== undefined) console.warn(`skipping the wrangler dev test: ${missing}`);

interface Dev {
  url(path: string): string;
  output(): string;
  stop(): Promise<void>;
}

async function wranglerDev(nodePath: string, persistTo: string): Promise<Dev> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    nodePath,
    [
      join(exampleDir, "node_modules", "wrangler", "bin", "wrangler.js"),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persistTo,
    ],
    {
      cwd: exampleDir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      // Wrangler's own child processes find this Node first.
      env: { ...process.env, PATH: `${dirname(nodePath)}:${process.env.PATH}`, WRANGLER_SEND_METRICS: "false" },
    },
  );
  let printed = "";
  child.stdout?.on("data", (chunk) => {
    printed += String(chunk);
  });
  child.stderr?.on("data", (chunk) => {
    printed += String(chunk);
  });
  const dev: Dev = {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    output: () => printed,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-(child.pid as number), "SIGTERM");
      await exited;
    },
  };
  await until(
    () =>
      fetch(dev.url("/health")).then(
        (r) => r.status,
        () => 0,
      ),
    (status) => status === 200 || child.exitCode !== null,
    90_000,
    "wrangler dev answers",
  ).catch(async (error) => {
    await dev.stop();
    throw new Error(`${error}\n${printed}`);
  });
  if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${printed}`);
  return dev;
}

describe.skipIf(missing !== undefined)("wrangler dev (Node 22 from npm)", () => {
  let dev: Dev | undefined;
  let persistTo = "";
  afterAll(async () => {
    await dev?.stop();
    if (persistTo !== "") await rm(persistTo, { recursive: true, force: true });
  });

  it("serves the Worker with its Durable Objects, and the state survives a restart", async () => {
    const nodePath = (node as { path: string }).path;
    persistTo = await mkdtemp(join(tmpdir(), "refcache-wrangler-"));
    dev = await wranglerDev(nodePath, persistTo);
    const started = await fetch(dev.url("/demo/slow-count?to=3&delayMs=500"), { method: "POST" });
    expect(started.status, dev.output()).toBe(202);
    const location = started.headers.get("location") ?? "";
    await until(
      async () => ((await (await fetch((dev as Dev).url(location))).json()) as { status: string }).status,
      (status) => status === "complete",
      15_000,
      "complete",
    );
    await dev.stop();
    dev = await wranglerDev(nodePath, persistTo);
    expect(await (await fetch(dev.url(location))).json()).toMatchObject({ status: "complete" });
    const { refId } = (await started.json()) as { refId: string };
    expect(await (await fetch(dev.url(`/refcache/refs/${encodeURIComponent(refId)}`))).json()).toEqual({ count: 3 });
  }, 240_000);
});
