/**
 * The example Worker's entry: checks the configuration and the `Host`, then serves the request's app.
 * Exports the Durable Object classes wrangler.jsonc binds: the store shards and the slow_count runner.
 */
import { TaskRunnerObject } from "@mcp-refcache/cloudflare";
import type { TaskContext } from "@mcp-refcache/core";
import { createApp, type Env } from "./app.js";
import { hostAllowed, readConfig } from "./config.js";
import { AbortLabel, recordAbort, SlowCountInput, slowCount } from "./slow-count.js";

export { RefCacheShard } from "@mcp-refcache/cloudflare";

/** Runs slow_count inside a Durable Object: not bound by waitUntil's ~30 s. */
export class SlowCountRunner extends TaskRunnerObject<Env> {
  protected readonly functions = {
    slow_count: (input: unknown, context: TaskContext) => {
      const { label, ...args } = SlowCountInput.extend({ label: AbortLabel.optional() }).parse(input);
      return recordAbort(this.cache, label, context.signal, () => slowCount(args, context));
    },
  };
  protected override cacheOptions() {
    const lease = Number(this.env.TASK_LEASE_MS ?? 30_000);
    return { name: "runner", taskLeaseMs: Number.isSafeInteger(lease) && lease >= 100 ? lease : 30_000 };
  }
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const config = readConfig(env);
    if ("error" in config) return new Response(`misconfigured Worker: ${config.error}`, { status: 500 });
    if (!hostAllowed(request, config.ALLOWED_HOSTS)) return new Response("host not allowed", { status: 403 });
    return createApp(env, ctx, config).fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
