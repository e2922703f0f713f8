/**
 * The ioredis `Command` for one call of the direct transport. ioredis copies every command's arguments
 * with `Array.prototype.flat()` and then checks each one's type; the arguments here are already a flat
 * array, so a `PreparedCommand` is built empty and handed them afterwards, as strings (what ioredis
 * would have turned numbers into).
 *
 * That reaches into ioredis: its constructor runs the command's argument transformer (and stringifies)
 * on the empty array, so a transformer for a name sent this way would be skipped. It is only done when
 * the probe below proves, at load, for every name in `SHORTCUT_COMMANDS` (the only names the type lets
 * through), that ioredis registers no argument transformer for it and that a prepared command writes
 * the same bytes as a plain one. Otherwise, and for a client with a key prefix (which ioredis applies
 * while constructing), every command is a plain `Command`. `test/commands.test.ts` fails loudly when an
 * ioredis upgrade breaks the probe or moves its transformer table.
 *
 * The bench line that justifies it: "ratio @mcp-refcache/redis / BullMQ" of `pnpm bench` (16 lifecycles
 * in flight). On a shared two-core machine, alternating runs gave 4879 and 4593 lifecycles/s with the
 * shortcut against 4485 and 3975 without; the process spent 53–60 µs of CPU per lifecycle with it and
 * 60–81 µs without (built package, five alternating runs). A modest gain, about 1 µs per command: if
 * the bench stops showing it, drop this file's shortcut rather than fence it further.
 */
import { Command } from "ioredis";

export type Arg = string | number;

/** Every command the stores send, and so every name the shortcut may see: the probe checks each one. */
export const SHORTCUT_COMMANDS = ["evalsha", "eval", "hgetall", "hmget", "del"] as const;
export type CommandName = (typeof SHORTCUT_COMMANDS)[number];

export interface CommandOptions {
  replyEncoding: "utf8";
  keyPrefix?: string;
}

export type CommandClass = typeof Command;

/** ioredis's table of argument transformers by command name (private in its types), if it has one. */
export function argumentTransformers(Base: CommandClass): Record<string, unknown> | undefined {
  const table = (Base as unknown as { _transformer?: { argument?: unknown } })._transformer?.argument;
  return typeof table === "object" && table !== null ? (table as Record<string, unknown>) : undefined;
}

/** A `Command` of `Base` that takes its (already flat, all-string) arguments as they are. */
function preparedClass(Base: CommandClass) {
  return class PreparedCommand extends Base {
    constructor(name: CommandName, args: string[], options: CommandOptions) {
      super(name, [], options);
      this.args = args;
    }
  };
}

/**
 * Whether prepared commands of `Base` go on the wire exactly as plain ones would, for every name in
 * `names`: no argument transformer is registered for any of them (ioredis keeps them in
 * `Command._transformer.argument`; a missing table proves nothing, so it refuses), and a prepared
 * command writes the same bytes as a plain one and keeps the array it was given. Never throws.
 */
export function shortcutIsSafe(Base: CommandClass = Command, names: readonly string[] = SHORTCUT_COMMANDS): boolean {
  try {
    const transformers = argumentTransformers(Base);
    if (transformers === undefined) return false;
    const Prepared = preparedClass(Base);
    for (const name of names) {
      if (transformers[name] !== undefined) return false;
      const args = ["key", "2", "ünïcode €"];
      const prepared = new Prepared(name as CommandName, args, { replyEncoding: "utf8" });
      const plain = new Base(name, ["key", 2, "ünïcode €"], { replyEncoding: "utf8" });
      if (prepared.args !== args || prepared.toWritable({} as never) !== plain.toWritable({} as never)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

const PreparedCommand = preparedClass(Command);
/** Whether this process builds prepared commands (the probe passed for the installed ioredis). */
export const SHORTCUT = shortcutIsSafe();

export function command(name: CommandName, args: Arg[], options: CommandOptions): Command {
  if (!SHORTCUT || options.keyPrefix !== undefined) return new Command(name, args, options);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg !== "string") args[i] = String(arg);
  }
  return new PreparedCommand(name, args as string[], options);
}
