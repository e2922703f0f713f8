/**
 * Every command this package sends goes through here: a deadline on each call (so a lost connection
 * fails with STORE_ERROR instead of hanging), EVALSHA with a fallback to EVAL, and the one table that
 * turns Redis failures into core's `StoreError`.
 *
 * Commands go straight to `sendCommand`, without ioredis's auto-pipelining (its per-batch pipeline, and
 * per-command promises and ticks): `WriteBatches` decides when they reach the socket.
 */
import { createHash } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import { type Arg, type CommandOptions, command } from "./commands.js";
import { StoreError } from "./contract.js";
import { type Deadline, DeadlineQueue, monotonicNow } from "./deadlines.js";
import { type ReplyListener, WriteBatches } from "./write-batches.js";

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

const isNoScript = (error: unknown) => error instanceof Error && error.message.startsWith("NOSCRIPT");

/** One call in flight: settled exactly once, by its reply, its failure or its deadline. */
class Call implements Deadline, ReplyListener {
  deadline = 0;
  settled = false;
  next: Deadline | undefined = undefined;
  readonly #connection: RedisConnection;
  readonly #what: string;
  readonly #refId: string | undefined;
  #name: string;
  #args: Arg[];
  readonly #script: LuaScript | undefined;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: StoreError) => void;

  constructor(
    connection: RedisConnection,
    what: string,
    refId: string | undefined,
    name: string,
    args: Arg[],
    script: LuaScript | undefined,
    resolve: (value: unknown) => void,
    reject: (error: StoreError) => void,
  ) {
    this.#connection = connection;
    this.#what = what;
    this.#refId = refId;
    this.#name = name;
    this.#args = args;
    this.#script = script;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** Writes the command, unless the call already settled or its deadline passed: nothing is sent late. */
  send(): void {
    if (this.settled) return;
    if (monotonicNow() >= this.deadline) {
      this.expire();
      return;
    }
    try {
      this.#connection.write(this.#name, this.#args, this);
    } catch (error) {
      this.fail(error);
    }
  }

  reply(value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#connection.deadlines.release(this);
    this.#resolve(value);
  }

  /** EVAL only when Redis does not know the script yet (after a restart or a flush), within the same deadline. */
  error(error: unknown): void {
    const script = this.#script;
    if (script === undefined || this.#name !== "evalsha" || !isNoScript(error)) {
      this.fail(error);
      return;
    }
    // A new array: the EVALSHA command may still hold the old one.
    this.#args = [script.source, ...this.#args.slice(1)];
    this.#name = "eval";
    this.send();
  }

  fail(cause: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#connection.deadlines.release(this);
    const timeoutMs = this.#connection.commandTimeoutMs;
    this.#reject(new StoreError(describe(cause, this.#what, timeoutMs), this.#refId, cause));
  }

  expire(): void {
    this.fail(new CommandTimeout());
  }
}

export interface RedisConnectionOptions {
  client: Redis | Cluster;
  /** Whether this package created the client (then it waits for `ready` itself and quits it on close). */
  ownsClient: boolean;
  commandTimeoutMs: number;
}

export class RedisConnection {
  readonly client: Redis | Cluster;
  readonly deadlines: DeadlineQueue;
  readonly #ownsClient: boolean;
  readonly #timeoutMs: number;
  readonly #commandOptions: CommandOptions;
  #closed = false;
  #ready: Promise<void> | undefined;
  readonly #writes: WriteBatches;

  constructor(options: RedisConnectionOptions) {
    this.client = options.client;
    this.#ownsClient = options.ownsClient;
    this.#timeoutMs = options.commandTimeoutMs;
    this.deadlines = new DeadlineQueue(options.commandTimeoutMs);
    this.#writes = new WriteBatches(options.client);
    // Commands get the client's key prefix, as its own command methods would give them.
    const keyPrefix = this.client.options?.keyPrefix;
    this.#commandOptions = keyPrefix ? { replyEncoding: "utf8", keyPrefix } : { replyEncoding: "utf8" };
  }

  get commandTimeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Sends one command within the deadline; any failure becomes a StoreError. */
  call<T>(what: string, refId: string | undefined, name: string, args: Arg[]): Promise<T> {
    return this.#start(what, refId, name, args, undefined);
  }

  /** One script call: EVALSHA, and EVAL only when Redis does not know the script yet (after a restart). */
  script<T>(
    what: string,
    refId: string | undefined,
    script: LuaScript,
    keys: readonly string[],
    args: readonly Arg[],
  ): Promise<T> {
    const all: Arg[] = [script.sha, keys.length];
    for (const key of keys) all.push(key);
    for (const arg of args) all.push(arg);
    return this.#start(what, refId, "evalsha", all, script);
  }

  #start<T>(what: string, refId: string | undefined, name: string, args: Arg[], script?: LuaScript): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call = new Call(this, what, refId, name, args, script, resolve as (value: unknown) => void, reject);
      if (this.#closed) {
        call.fail(new ConnectionClosed());
        return;
      }
      this.deadlines.add(call);
      // Our own client keeps no offline queue (a command that timed out must never run later), so wait
      // for the connection here, within the same deadline.
      if (this.#ownsClient && this.client.status !== "ready") {
        this.#whenReady().then(
          () => call.send(),
          (error: unknown) => call.fail(error),
        );
      } else call.send();
    });
  }

  /** Hands one command to the client; `listener` hears its reply or its failure. */
  write(name: string, args: Arg[], listener: ReplyListener): void {
    this.#writes.send(command(name, args, this.#commandOptions), listener);
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
    this.deadlines.stop();
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
