/**
 * Watches what one connection sends: MONITOR on a second connection, with ECHO markers around a call, so
 * a test can count the commands (round trips) a store call costs.
 */
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect } from "vitest";
import { rawClient } from "./redis-fixture.js";

export interface CommandMonitor {
  /** The connection whose commands are watched: hand it to the stores under test. */
  readonly client: Redis;
  /** The commands (lower-case names) `call` sends on `client`, between two markers MONITOR has shown. */
  commandsOf(call: () => Promise<unknown>): Promise<string[]>;
}

/** Opens the watched connection and its monitor for the enclosing `describe` (call it there). */
export function useCommandMonitor(): CommandMonitor {
  let client: Redis | undefined;
  let monitor: Redis | undefined;
  const sent: string[][] = [];
  let markers = 0;

  beforeAll(async () => {
    client = rawClient();
    await client.ping();
    const source = `${client.stream.localAddress}:${client.stream.localPort}`;
    monitor = await rawClient().monitor();
    monitor.on("monitor", (_time: string, args: string[], from: string) => {
      if (from === source) sent.push(args);
    });
  });
  afterAll(() => {
    monitor?.disconnect();
    client?.disconnect();
  });

  const watched = (): Redis => {
    if (client === undefined) throw new Error("useCommandMonitor: the connection opens in beforeAll");
    return client;
  };
  /** Sends a unique ECHO and waits until MONITOR has shown it: everything the client sent before is seen. */
  const mark = async (): Promise<string> => {
    const marker = `marker-${markers++}`;
    await watched().echo(marker);
    await expect.poll(() => sent.some((args) => args[1] === marker)).toBe(true);
    return marker;
  };

  return {
    get client() {
      return watched();
    },
    async commandsOf(call) {
      const before = await mark();
      await call();
      const after = await mark();
      const start = sent.findIndex((args) => args[1] === before);
      const end = sent.findIndex((args) => args[1] === after);
      const between = sent.slice(start + 1, end).map((args) => (args[0] ?? "").toLowerCase());
      sent.length = 0;
      return between;
    },
  };
}
