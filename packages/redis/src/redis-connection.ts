/**
 * Every command this package sends goes through here: a deadline on each call (so a lost connection
 * fails with STORE_ERROR instead of hanging), EVALSHA with a fallback to EVAL, and the one table that
 * turns Redis failures into core's `StoreError`.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { StoreError } from "./contract.js";

export type Arg = string | number;

export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/** Why a call failed, in words a caller can act on. The one table from Redis failures to STORE_ERROR. */
function describe(cause: unknown, what: string, timeoutMs: number): string {
  if (cause instanceof CommandTimeout) return `Redis did not answer ${what} within ${timeoutMs} ms`;
  if (cause instanceof ConnectionClosed) return `Redis stores are closed (${what})`;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (/stream isn't writeable|connection is closed|max retries|ECONNREFUSED|ECONNRESET|EPIPE/i.test(message)) {
    return `Redis is unreachable (${what}): ${message}`;
  }
  return `Redis refused ${what}: ${message}`;
}

class CommandTimeout extends Error {}
class ConnectionClosed extends Error {}

export interface RedisConnectionOptions {
  client: Redis;
  /** Whether this package created the client (then it waits for `ready` itself and quits it on close). */
  ownsClient: boolean;
  commandTimeoutMs: number;
}

export class RedisConnection {
  readonly client: Redis;
  readonly #ownsClient: boolean;
  readonly #timeoutMs: number;
  #closed = false;
  #ready: Promise<void> | undefined;

  constructor(options: RedisConnectionOptions) {
    this.client = options.client;
    this.#ownsClient = options.ownsClient;
    this.#timeoutMs = options.commandTimeoutMs;
  }

  get commandTimeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Runs `send` against the client within the deadline; any failure becomes a StoreError. */
  call<T>(what: string, refId: string | undefined, send: (client: Redis) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (cause: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new StoreError(describe(cause, what, this.#timeoutMs), refId, cause));
      };
      const timer = setTimeout(() => fail(new CommandTimeout()), this.#timeoutMs);
      const run = () => {
        // A call whose deadline passed while it waited for the connection is never sent.
        if (settled) return;
        let sent: Promise<T>;
        try {
          sent = send(this.client);
        } catch (error) {
          fail(error);
          return;
        }
        sent.then((value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value);
        }, fail);
      };
      if (this.#closed) fail(new ConnectionClosed());
      // Our own client keeps no offline queue (a command that timed out must never run later), so wait
      // for the connection here, within the same deadline.
      else if (this.#ownsClient && this.client.status !== "ready") this.#whenReady().then(run, fail);
      else run();
    });
  }

  /** One script call: EVALSHA, and EVAL only when Redis does not know the script yet (after a restart). */
  script<T>(what: string, refId: string | undefined, script: LuaScript, keys: readonly string[], args: readonly Arg[]) {
    return this.call(what, refId, async (client) => {
      try {
        return (await client.evalsha(script.sha, keys.length, ...keys, ...args)) as T;
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
        return (await client.eval(script.source, keys.length, ...keys, ...args)) as T;
      }
    });
  }

  #whenReady(): Promise<void> {
    this.#ready ??= new Promise<void>((resolve) => {
      const onReady = () => {
        this.#ready = undefined;
        resolve();
      };
      this.client.once("ready", onReady);
    });
    return this.#ready;
  }

  /** Stops accepting calls; quits the client when this package created it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#ownsClient) return;
    if (this.client.status === "ready") {
      try {
        await Promise.race([this.client.quit(), new Promise((r) => setTimeout(r, this.#timeoutMs).unref())]);
      } catch {
        // the connection is going away either way
      }
    }
    this.client.disconnect();
  }
}
