/**
 * Every command this package sends goes through here: a deadline on each call (so a lost connection
 * fails with STORE_ERROR instead of hanging), EVALSHA with a fallback to EVAL, and the one table that
 * turns Redis failures into core's `StoreError`, whichever transport (`transports.ts`) carries them.
 *
 * The default "direct" transport sends commands straight to `sendCommand`, without ioredis's
 * auto-pipelining (its per-batch pipeline, and per-command promises and ticks): `WriteBatches` decides
 * when they reach the socket. The "ioredis" transport uses the client's own `call`.
 */
import { createHash } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import type { Arg, CommandName } from "./commands.js";
import { StoreError } from "./contract.js";
import { type Deadline, DeadlineQueue, monotonicNow } from "./deadlines.js";
import { type Transport, type TransportName, transport } from "./transports.js";
import type { ReplyListener } from "./write-batches.js";

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

/** What a `Call` is made of. */
interface CallOptions {
  connection: RedisConnection;
  /** What the call does, in words for its error message ("task create"). */
  what: string;
  /** The ref id or key the call is about, for its error (undefined for calls about no one id). */
  refId: string | undefined;
  name: CommandName;
  /** The command's arguments; the direct transport turns numbers into strings in place. */
  args: Arg[];
  /** The script an EVALSHA runs, so a NOSCRIPT reply can fall back to EVAL. */
  script: LuaScript | undefined;
  resolve: (value: unknown) => void;
  reject: (error: StoreError) => void;
}

/** One call in flight: settled exactly once, by its reply, its failure or its deadline. */
class Call implements Deadline, ReplyListener {
  deadline = 0;
  settled = false;
  next: Deadline | undefined = undefined;
  readonly #connection: RedisConnection;
  readonly #what: string;
  readonly #refId: string | undefined;
  #name: CommandName;
  #args: Arg[];
  readonly #script: LuaScript | undefined;
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (error: StoreError) => void;

  constructor(options: CallOptions) {
    this.#connection = options.connection;
    this.#what = options.what;
    this.#refId = options.refId;
    this.#name = options.name;
    this.#args = options.args;
    this.#script = options.script;
    this.#resolve = options.resolve;
    this.#reject = options.reject;
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
  /** How commands reach Redis (see `transports.ts`). */
  transport: TransportName;
}

export class RedisConnection {
  readonly client: Redis | Cluster;
  readonly deadlines: DeadlineQueue;
  readonly #ownsClient: boolean;
  readonly #timeoutMs: number;
  readonly #transport: Transport;
  #closed = false;
  #ready: Promise<void> | undefined;

  constructor(options: RedisConnectionOptions) {
    this.client = options.client;
    this.#ownsClient = options.ownsClient;
    this.#timeoutMs = options.commandTimeoutMs;
    this.deadlines = new DeadlineQueue(options.commandTimeoutMs);
    this.#transport = transport(options.transport, options.client);
  }

  get commandTimeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Sends one command within the deadline; any failure becomes a StoreError. */
  call<T>(what: string, refId: string | undefined, name: CommandName, args: Arg[]): Promise<T> {
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

  #start<T>(what: string, refId: string | undefined, name: CommandName, args: Arg[], script?: LuaScript): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = resolve as (value: unknown) => void;
      const call = new Call({ connection: this, what, refId, name, args, script, resolve: settle, reject });
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
  write(name: CommandName, args: Arg[], listener: ReplyListener): void {
    this.#transport.send(name, args, listener);
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
