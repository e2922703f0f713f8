/**
 * A throwaway Redis Cluster of three masters (no replicas, no persistence) on free loopback ports, for the
 * cluster-layout tests: started with `redis-server --cluster-enabled yes` and `redis-cli --cluster create`,
 * stopped by PID. Without `redis-server` the tests are skipped with one line, or fail under CI=true.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe } from "vitest";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** Whether `redis-server` and `redis-cli` can be run here. */
export const clusterToolsAvailable =
  spawnSync("redis-server", ["--version"]).status === 0 && spawnSync("redis-cli", ["--version"]).status === 0;

if (!clusterToolsAvailable) {
  if (process.env.CI === "true")
    throw new Error("redis-server/redis-cli are missing (CI=true: the cluster tests must run)");
  console.warn("@mcp-refcache/redis: Redis Cluster tests skipped, redis-server or redis-cli is missing");
}

/** `describe` when a cluster can be started, `describe.skip` otherwise. */
export const describeCluster = clusterToolsAvailable ? describe : describe.skip;

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export class RedisCluster {
  readonly #processes = new Map<number, ChildProcess>();
  private constructor(
    readonly ports: number[],
    readonly dir: string,
    readonly replicas: number,
  ) {}

  /**
   * `aof`: every node persists each write before answering (`appendonly yes`, `appendfsync always`).
   * `replicas`: replicas per master (their ports come after the masters'; a replica takes over its master's
   * slots about a second after the master stops answering).
   */
  static async start(masters = 3, aof = false, replicas = 0): Promise<RedisCluster> {
    const ports: number[] = [];
    for (let i = 0; i < masters * (1 + replicas); i++) ports.push(await freePort());
    const cluster = new RedisCluster(ports, mkdtempSync(join(tmpdir(), "refcache-cluster-")), replicas);
    for (const port of ports) await cluster.startNode(port, aof);
    const create = spawnSync(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...ports.map((p) => `127.0.0.1:${p}`),
        "--cluster-replicas",
        String(replicas),
        "--cluster-yes",
      ],
      { encoding: "utf8" },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    for (const port of ports) await cluster.waitUntilOk(port);
    return cluster;
  }

  /** Waits until the node on `port` says `cluster_state:ok`. */
  async waitUntilOk(port: number): Promise<void> {
    await waitFor(async () => {
      const probe = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 0, lazyConnect: true });
      probe.on("error", () => {});
      try {
        await probe.connect();
        return (await probe.cluster("INFO")).includes("cluster_state:ok");
      } finally {
        probe.disconnect();
      }
    }, `cluster_state:ok on ${port}`);
  }

  /** The port of the master that serves `slot`, as a live node (not one killed) sees it. */
  async portOfSlot(slot: number): Promise<number> {
    const live = this.ports.find((port) => this.#processes.has(port));
    if (live === undefined) throw new Error("no node of the cluster is running");
    const node = this.node(live);
    try {
      const ranges = await node.cluster("SLOTS");
      const port = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];
      if (port === undefined) throw new Error(`no node serves slot ${slot}`);
      return port;
    } finally {
      node.disconnect();
    }
  }

  /** Starts (or restarts) the node on `port`; `aof` turns on `appendfsync always` for it. */
  async startNode(port: number, aof = false): Promise<void> {
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      join(this.dir, `nodes-${port}.conf`),
      "--dir",
      this.dir,
      "--save",
      "",
      "--appendonly",
      aof ? "yes" : "no",
      "--appendfilename",
      `appendonly-${port}.aof`,
      "--appenddirname",
      `aof-${port}`,
      "--appendfsync",
      "always",
      // With replicas, fail over quickly; without, keep the default (15 s): once a master is marked failed,
      // a cluster without full slot coverage refuses every command, and the restart test needs the others.
      ...(this.replicas > 0 ? ["--cluster-node-timeout", "1000"] : []),
    ];
    const child = spawn("redis-server", args, { stdio: "ignore" });
    this.#processes.set(port, child);
    await waitFor(async () => {
      const probe = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 0, lazyConnect: true });
      probe.on("error", () => {});
      try {
        await probe.connect();
        return (await probe.ping()) === "PONG";
      } finally {
        probe.disconnect();
      }
    }, `redis-server on ${port}`);
  }

  /** A cluster client: `options` as for ioredis `Cluster`. */
  client(options: ConstructorParameters<typeof Cluster>[1] = {}): Cluster {
    const client = new Cluster([{ host: "127.0.0.1", port: this.ports[0] as number }], options);
    client.on("error", () => {});
    return client;
  }

  /** A plain client to one node, for inspecting what it holds. */
  node(port: number): Redis {
    const client = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 1 });
    client.on("error", () => {});
    return client;
  }

  /** Kills the node on `port` (SIGKILL) and waits for it to exit. */
  async killNode(port: number): Promise<void> {
    const child = this.#processes.get(port);
    this.#processes.delete(port);
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }

  async stop(): Promise<void> {
    for (const port of [...this.#processes.keys()]) await this.killNode(port);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A cluster for the calling `describe` block: started before its tests, stopped after them. */
export function useRedisCluster(): () => RedisCluster {
  let cluster: RedisCluster | undefined;
  beforeAll(async () => {
    cluster = await RedisCluster.start();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error("the Redis cluster starts in beforeAll");
    return cluster;
  };
}
