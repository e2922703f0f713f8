// Starts the example Worker (src/index.ts, bundled as wrangler would) on the real workerd binary, with the
// Durable Object bindings of wrangler.jsonc and its state on disk, so a test can restart it over the same
// state or cut it off with SIGKILL. The workerd driver is the one the package's own tests use.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  bundleWorker,
  freePort,
  type RunningWorkerd,
  skipWithoutWorkerd,
  startWorkerd,
  workerdDir,
} from "../../../packages/cloudflare/test/workerd-process.js";

export { skipWithoutWorkerd };

export interface ExampleWorker {
  baseUrl: string;
  url(path: string): string;
  output(): string;
  /** The task as the store holds it, read past every RefCache (see inspector-worker.ts). */
  stored(refId: string): Promise<unknown>;
  /** Stops workerd (SIGKILL: as a crash) and starts it again over the same state, on a new port. */
  restart(signal?: NodeJS.Signals): Promise<void>;
  dispose(): Promise<void>;
}

/** `leaseMs`: the Worker's TASK_LEASE_MS (default 30 s, so renewals cannot be what brings a cancel). */
export async function startExample(options: { leaseMs?: number } = {}): Promise<ExampleWorker> {
  const dir = await workerdDir("example");
  await bundleWorker(fileURLToPath(new URL("../src/index.ts", import.meta.url)), join(dir, "worker.js"));
  await bundleWorker(fileURLToPath(new URL("./inspector-worker.ts", import.meta.url)), join(dir, "inspector.js"));
  const stateDir = join(dir, "state");
  await mkdir(stateDir, { recursive: true });
  let inspectorPort = 0;
  const start = async () => {
    inspectorPort = await freePort();
    return startWorkerd({
      dir,
      stateDir,
      port: await freePort(),
      objects: { REFCACHE: "RefCacheShard", RUNNER: "SlowCountRunner" },
      vars: { ALLOWED_HOSTS: "127.0.0.1", TASK_LEASE_MS: String(options.leaseMs ?? 30_000) },
      inspector: { module: "inspector.js", port: inspectorPort, objects: { REFCACHE: "RefCacheShard" } },
    });
  };
  let running: RunningWorkerd = await start();
  let earlier = "";
  const example: ExampleWorker = {
    get baseUrl() {
      return running.baseUrl;
    },
    url: (path) => `${running.baseUrl}${path}`,
    stored: async (refId) =>
      (await fetch(`http://127.0.0.1:${inspectorPort}/task?refId=${encodeURIComponent(refId)}`)).json(),
    output: () => earlier + running.output(),
    restart: async (signal = "SIGTERM") => {
      await running.stop(signal);
      earlier += `${running.output()}\n--- restarted (${signal}) ---\n`;
      running = await start();
    },
    dispose: () => running.dispose(),
  };
  return example;
}

/** Polls `read` until `accept` holds (no fixed sleeps: each poll is a request). */
export async function until<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: not reached within ${timeoutMs} ms; last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
