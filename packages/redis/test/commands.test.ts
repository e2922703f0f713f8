/**
 * Commands built without ioredis's argument copy (`commands.ts`) go on the wire byte for byte as plain
 * ioredis commands would, a client's key prefix still applies, and the load-time probe refuses the
 * shortcut as soon as ioredis would treat any name it sends differently: an argument transformer
 * registered for it, other bytes, or a transformer table it can no longer find. These tests are the
 * fence around reaching into ioredis: an ioredis upgrade that changes any of it fails here, loudly.
 * No Redis needed.
 */
import { Command } from "ioredis";
import { describe, expect, it } from "vitest";
import {
  type Arg,
  argumentTransformers,
  type CommandName,
  command,
  SHORTCUT,
  SHORTCUT_COMMANDS,
  shortcutIsSafe,
} from "../src/commands.js";

const options = { replyEncoding: "utf8" } as const;
const wire = (c: Command) => c.toWritable({} as never);

/** Every shape the stores send, for every name: a new name in SHORTCUT_COMMANDS needs its shapes here. */
const SHAPES: Record<CommandName, Arg[][]> = {
  evalsha: [["a".repeat(40), 2, "p:t:id", "p:v:id", "p:", "id", "3", '{"note":"ünïcode €"}', "", 7.5]],
  eval: [["return 1", 0]],
  hgetall: [["p:v:k"]],
  hmget: [["p:v:k", "c", "e", "o"]],
  del: [["p:v:k"]],
};

/** Runs `body` with `transformer` registered for `name` in ioredis's own table, then removes it. */
function withArgumentTransformer(name: string, transformer: (args: unknown[]) => unknown[], body: () => void): void {
  Command.setArgumentTransformer(name, transformer);
  try {
    body();
  } finally {
    delete argumentTransformers(Command)?.[name];
  }
}

describe("commands", () => {
  it("the installed ioredis passes the probe, so the stores take the shortcut", () => {
    // If an ioredis upgrade makes the probe refuse, the stores still work (plain commands) but lose the
    // speed the bench line in commands.ts measures: this says so instead of a silent slowdown.
    expect(SHORTCUT).toBe(true);
    expect(shortcutIsSafe()).toBe(true);
  });

  it("writes what a plain ioredis command writes, for every shape the stores send", () => {
    expect(Object.keys(SHAPES).sort()).toEqual([...SHORTCUT_COMMANDS].sort());
    for (const [name, shapes] of Object.entries(SHAPES) as [CommandName, Arg[][]][]) {
      for (const args of shapes) {
        const expected = wire(new Command(name, [...args], options));
        const built = command(name, [...args], options);
        expect(built.constructor).not.toBe(Command);
        expect(wire(built)).toBe(expected);
      }
    }
  });

  it("leaves a client's key prefix to ioredis", () => {
    const built = command("hmget", ["v:k", "c"], { ...options, keyPrefix: "app:" });
    expect(built.constructor).toBe(Command);
    expect(wire(built)).toBe(wire(new Command("hmget", ["v:k", "c"], { ...options, keyPrefix: "app:" })));
    expect(wire(built)).toContain("app:v:k");
  });

  it("reads the transformer table ioredis itself uses", () => {
    // ioredis registers its own transformers there (hset's turns an object into field-value pairs). Were
    // the table moved, the probe would find none and refuse: this says why the shortcut went away.
    const table = argumentTransformers(Command);
    expect(table).toBeDefined();
    expect(typeof table?.hset).toBe("function");
    for (const name of SHORTCUT_COMMANDS) expect(table?.[name]).toBeUndefined();
  });

  it("refuses the shortcut once ioredis has an argument transformer for any name it sends", () => {
    // Like ioredis's own (mset, hset): acts on some shapes only, so comparing bytes alone cannot see it.
    const onMaps = (args: unknown[]) => args.flatMap((a) => (a instanceof Map ? [...a].flat() : [a]));
    const appends = (args: unknown[]) => [...args, "added"];
    for (const name of SHORTCUT_COMMANDS) {
      for (const transformer of [onMaps, appends]) {
        withArgumentTransformer(name, transformer, () => expect(shortcutIsSafe(), name).toBe(false));
      }
      expect(shortcutIsSafe(), name).toBe(true);
    }
    // What the refusal protects: a plain command applies the transformer, a prepared one skipped it.
    withArgumentTransformer("hmget", appends, () => {
      expect(wire(new Command("hmget", ["k"], options))).toContain("added");
    });
    // The probe sees ioredis's own transformers too: asked about hset, it refuses.
    expect(shortcutIsSafe(Command, ["hset"])).toBe(false);
  });

  it("refuses the shortcut when a prepared command would write other bytes", () => {
    /** A Command that treats its arguments in the constructor (as a future ioredis might). */
    class Rewriting extends Command {
      constructor(name: string, args: Arg[], opts: typeof options) {
        super(
          name,
          args.map((a) => (typeof a === "number" ? `${a}.0` : a)),
          opts,
        );
      }
    }
    expect(shortcutIsSafe(Rewriting)).toBe(false);
  });

  it("refuses the shortcut when it cannot find ioredis's transformer table", () => {
    class Moved extends Command {}
    Object.defineProperty(Moved, "_transformer", { value: undefined });
    expect(argumentTransformers(Moved)).toBeUndefined();
    expect(shortcutIsSafe(Moved)).toBe(false);
  });

  it("takes only the names the probe checked", () => {
    // @ts-expect-error: a name outside SHORTCUT_COMMANDS does not compile, so it cannot skip the probe.
    const unchecked = () => command("hset", ["k", "f", "v"], options);
    expect(unchecked).toBeTypeOf("function");
  });
});
