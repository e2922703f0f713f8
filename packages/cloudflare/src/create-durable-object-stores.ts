/**
 * `createDurableObjectStores(env, options)`: the value Store and TaskStore pair over one Durable Object
 * namespace of `RefCacheShard`, for `new RefCache({ store, taskStore })`. Options are checked with zod.
 */
import { type Store, type TaskStore, ValidationError } from "@mcp-refcache/core";
import * as z from "zod";
import { DurableObjectStore } from "./durable-object-store.js";
import { DurableObjectTaskStore } from "./durable-object-task-store.js";
import type { RefCacheShard } from "./refcache-shard.js";
import { ShardRouter } from "./shard-router.js";

export const DurableObjectStoresOptionsSchema = z.strictObject({
  /** Name of the env binding of the `RefCacheShard` namespace. */
  binding: z.string().min(1).default("REFCACHE"),
  /** Names this pair's objects: stores with different prefixes share nothing. */
  prefix: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/, "prefix may only hold letters, digits and . _ : -")
    .default("refcache"),
  /**
   * Number of shard objects ids are spread over (1–256). Fixed for a prefix's lifetime: changing it moves
   * ids to other objects, where their tasks are not found.
   */
  shards: z.number().int().min(1).max(256).default(8),
});
export type DurableObjectStoresOptions = z.input<typeof DurableObjectStoresOptionsSchema>;

export interface DurableObjectStores {
  store: Store;
  taskStore: TaskStore;
}

/**
 * The stores over `env[options.binding]` (default `REFCACHE`), shards named `<prefix>:shard:<i>`. `env` is
 * the Worker's env, of any type (an `interface Env` as `wrangler types` writes it, no index signature needed).
 * Throws `VALIDATION_ERROR` for bad options or a missing binding.
 */
export function createDurableObjectStores(env: object, options: DurableObjectStoresOptions = {}): DurableObjectStores {
  const parsed = DurableObjectStoresOptionsSchema.safeParse(options);
  if (!parsed.success) throw new ValidationError("Durable Object store options", parsed.error.issues);
  const { binding, prefix, shards } = parsed.data;
  const namespace = (env as Record<string, unknown>)[binding] as DurableObjectNamespace<RefCacheShard> | undefined;
  if (namespace === undefined || typeof namespace.idFromName !== "function") {
    throw ValidationError.single("binding", `env has no Durable Object namespace named "${binding}"`, "custom");
  }
  const router = new ShardRouter(namespace, prefix, shards);
  const store = new DurableObjectStore(router);
  return { store, taskStore: new DurableObjectTaskStore(router, binding, store) };
}
