/**
 * When commands reach the socket (`write-batches.ts`): a lone command at once, a burst in writes that
 * double (so Redis starts on the first while the rest are prepared), never held past the end of the
 * tick, in the order they were sent. No Redis: a client double whose socket records every write.
 */
import { Writable } from "node:stream";
import type { Command, Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { WriteBatches } from "../src/write-batches.js";

/** A client whose `sendCommand` writes the command's name to a socket that records each write's commands. */
function clientDouble() {
  const writes: string[][] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      writes.push([String(chunk)]);
      callback();
    },
    writev(chunks, callback) {
      writes.push(chunks.map((c) => String(c.chunk)));
      callback();
    },
  });
  const answers: ((ok: boolean) => void)[] = [];
  const client = {
    stream,
    sendCommand(command: { name: string }) {
      stream.write(command.name);
      return new Promise<string>((resolve, reject) =>
        answers.push((ok) => (ok ? resolve(`reply to ${command.name}`) : reject(new Error(`${command.name} failed`)))),
      );
    },
  };
  const batches = new WriteBatches(client as unknown as Redis);
  const send = (name: string) =>
    new Promise<unknown>((reply, error) => batches.send({ name } as unknown as Command, { reply, error }));
  /** Answers (or fails) every command sent so far, as Redis would, and lets the replies arrive. */
  const answerAll = async (ok = true) => {
    for (const answer of answers.splice(0)) answer(ok);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { writes, send, answerAll };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("write batches", () => {
  it("writes a lone command at once, within the call", async () => {
    const { writes, send } = clientDouble();
    const reply = send("a");
    expect(writes).toEqual([["a"]]);
    await tick();
    expect(writes).toEqual([["a"]]);
    void reply;
  });

  it("writes a burst in doubling writes, in order, and nothing is left once the tick ends", async () => {
    const { writes, send } = clientDouble();
    const names = Array.from({ length: 20 }, (_, i) => `c${i}`);
    for (const name of names) send(name);
    // 1, 1, 2, 4, 8 written as the burst goes; the last 4 wait for more company or the end of the tick.
    expect(writes.map((w) => w.length)).toEqual([1, 1, 2, 4, 8]);
    await tick();
    expect(writes.map((w) => w.length)).toEqual([1, 1, 2, 4, 8, 4]);
    expect(writes.flat()).toEqual(names);
  });

  it("holds commands while Redis has more to answer, and starts over once it answered", async () => {
    const { writes, send, answerAll } = clientDouble();
    for (let i = 0; i < 4; i++) send(`first${i}`);
    await tick();
    writes.length = 0;
    // Four unanswered: the next three share one write at the end of the tick.
    for (let i = 0; i < 3; i++) send(`second${i}`);
    expect(writes).toEqual([]);
    await tick();
    expect(writes).toEqual([["second0", "second1", "second2"]]);
    await answerAll();
    writes.length = 0;
    // Everything answered: the next command goes out at once again.
    send("third");
    expect(writes).toEqual([["third"]]);
  });

  it("counts a failed command as answered", async () => {
    const { writes, send, answerAll } = clientDouble();
    const failed = [send("a"), send("b")].map((reply) => reply.catch((e: Error) => e.message));
    await answerAll(false);
    expect(await Promise.all(failed)).toEqual(["a failed", "b failed"]);
    writes.length = 0;
    send("c");
    expect(writes).toEqual([["c"]]);
  });

  it("resolves each command with its own reply", async () => {
    const { send, answerAll } = clientDouble();
    const replies = Promise.all(["x", "y", "z"].map(send));
    await answerAll();
    expect(await replies).toEqual(["reply to x", "reply to y", "reply to z"]);
  });
});
