/**
 * Commands built without ioredis's argument copy (`commands.ts`) go on the wire byte for byte as plain
 * ioredis commands would, and a client's key prefix still applies. No Redis needed.
 */
import { Command } from "ioredis";
import { describe, expect, it } from "vitest";
import { type Arg, command } from "../src/commands.js";

const options = { replyEncoding: "utf8" } as const;
const wire = (c: Command) => c.toWritable({});

describe("commands", () => {
  it("writes what a plain ioredis command writes, for every shape the stores send", () => {
    const shapes: [string, Arg[]][] = [
      ["evalsha", ["a".repeat(40), 2, "p:t:id", "p:v:id", "p:", "id", "3", '{"note":"ünïcode €"}', "", 7.5]],
      ["eval", ["return 1", 0]],
      ["hget", ["p:t:id", "j"]],
      ["hgetall", ["p:v:k"]],
      ["hmget", ["p:v:k", "c", "e", "o"]],
      ["del", ["p:v:k"]],
    ];
    for (const [name, args] of shapes) {
      const expected = wire(new Command(name, [...args], options));
      const built = command(name, [...args], options);
      // The installed ioredis takes the fast path; if an upgrade made the load-time probe fail, this says so.
      expect(built.constructor).not.toBe(Command);
      expect(wire(built)).toBe(expected);
    }
  });

  it("leaves a client's key prefix to ioredis", () => {
    const built = command("hget", ["t:id", "j"], { ...options, keyPrefix: "app:" });
    expect(wire(built)).toBe(wire(new Command("hget", ["t:id", "j"], { ...options, keyPrefix: "app:" })));
    expect(wire(built)).toContain("app:t:id");
  });
});
