/**
 * When the commands reach the socket. Commands started together are written together, in as few writes
 * as keep Redis busy: a command is held back (the socket corked) only while Redis still has at least as
 * many unanswered commands as are held; past that, everything held is written at once, and whatever is
 * still held when the tick ends is written then. A burst of commands with nothing in flight goes out as
 * writes of 1, 1, 2, 4, 8, … commands, so Redis starts on the first while this process is still
 * preparing the rest, and the two work side by side instead of taking turns.
 *
 * Holding every command of a tick for one write (what ioredis's auto-pipelining does, per pipeline)
 * makes them take turns: with 16 task lifecycles in flight, Redis idled while this process worked and
 * the other way round, which gave about 60% of the throughput of this schedule on two cores. Each
 * command is still its own command and its own round trip either way.
 */
import type { Cluster, Command, Redis } from "ioredis";

/** Who hears how a command went: exactly one of the two is called, once. */
export interface ReplyListener {
  reply(value: unknown): void;
  error(error: unknown): void;
}

export class WriteBatches {
  readonly #client: Redis | Cluster;
  /** The socket while corked: from the first held command until the tick ends. */
  #corked: Redis["stream"] | undefined;
  /** Commands held in the corked socket, not written yet. */
  #held = 0;
  /** Commands handed to the client whose reply (or failure) has not come back, held ones included. */
  #unanswered = 0;

  constructor(client: Redis | Cluster) {
    this.#client = client;
  }

  /** Hands one command to the client; `listener` hears its reply or its failure. */
  send(command: Command, listener: ReplyListener): void {
    let corked = this.#corked;
    if (corked === undefined) {
      const stream = (this.#client as Partial<Redis>).stream;
      // No socket to cork (not connected yet, or not a plain client): the client writes or queues it.
      if (stream?.writable && typeof stream.cork === "function") {
        stream.cork();
        this.#corked = corked = stream;
        process.nextTick(this.#endOfTick);
      }
    }
    const reply = this.#client.sendCommand(command) as Promise<unknown>;
    this.#unanswered++;
    reply.then(
      (value) => {
        this.#unanswered--;
        listener.reply(value);
      },
      (error: unknown) => {
        this.#unanswered--;
        listener.error(error);
      },
    );
    if (corked !== undefined && ++this.#held >= this.#unanswered - this.#held) {
      this.#held = 0;
      corked.uncork();
      corked.cork();
    }
  }

  readonly #endOfTick = (): void => {
    const stream = this.#corked;
    this.#corked = undefined;
    this.#held = 0;
    stream?.uncork();
  };
}
