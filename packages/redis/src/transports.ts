/**
 * How a command reaches Redis once its call decided to send it (the `transport` option). Both hand the
 * command to the client at once and tell a `ReplyListener` how it went; deadlines, the EVAL fallback and
 * the STORE_ERROR table stay in `redis-connection.ts`, the same for both.
 *
 * - "direct" (the default): commands built without ioredis's argument copy (`commands.ts`), written by
 *   `WriteBatches` (`write-batches.ts`) straight through `sendCommand`.
 * - "ioredis": ioredis's own `call(name, ...args)`, with its own argument handling, queue and (where the
 *   client enables it) auto-pipelining; nothing of this package reaches into ioredis. For when the direct
 *   transport is suspect, or a client relies on something it bypasses.
 */
import type { Cluster, Redis } from "ioredis";
import { type Arg, type CommandName, type CommandOptions, command } from "./commands.js";
import { type ReplyListener, WriteBatches } from "./write-batches.js";

export const TRANSPORTS = ["direct", "ioredis"] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export interface Transport {
  /** Hands one command to the client; `listener` hears its reply or its failure, once. May throw. */
  send(name: CommandName, args: Arg[], listener: ReplyListener): void;
}

class DirectTransport implements Transport {
  readonly #writes: WriteBatches;
  readonly #options: CommandOptions;

  constructor(client: Redis | Cluster) {
    this.#writes = new WriteBatches(client);
    // Commands get the client's key prefix, as its own command methods would give them.
    const keyPrefix = client.options?.keyPrefix;
    this.#options = keyPrefix ? { replyEncoding: "utf8", keyPrefix } : { replyEncoding: "utf8" };
  }

  send(name: CommandName, args: Arg[], listener: ReplyListener): void {
    this.#writes.send(command(name, args, this.#options), listener);
  }
}

class IoredisTransport implements Transport {
  readonly #client: Redis | Cluster;

  constructor(client: Redis | Cluster) {
    this.#client = client;
  }

  send(name: CommandName, args: Arg[], listener: ReplyListener): void {
    (this.#client.call(name, ...args) as Promise<unknown>).then(
      (value) => listener.reply(value),
      (error: unknown) => listener.error(error),
    );
  }
}

export function transport(name: TransportName, client: Redis | Cluster): Transport {
  return name === "ioredis" ? new IoredisTransport(client) : new DirectTransport(client);
}
