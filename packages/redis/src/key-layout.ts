import * as z from "zod";
import { isWellFormedText } from "./contract.js";
import { bucketHash, hashSlot } from "./hash-slot.js";

/**
 * Where everything lives in Redis, all under one prefix P (default "refcache:"):
 * `P v:<key>` value hash (d data, c createdAt, e expiresAt, o owner, n version, "" when absent; no `n` in
 *   hashes written before versions existed; native expiry via PEXPIRE),
 * `P t:<id>` task hash (j JSON, v version, s status, o owner, q creation sequence, l lease),
 * `P i:<status>` / `P io:<status>:=<owner>` sorted sets by creation sequence (listing, active count),
 * `P finished` by finish time, `P leases` by lease expiry, `P seq` the sequence, channel `P changes`.
 *
 * That is the single layout (one Redis). The cluster layout (`layout: "cluster"`, the default for an ioredis
 * `Cluster`) puts the same keys under one of `CLUSTER_BUCKETS` bucket prefixes `P{tag}:` chosen from the id
 * (`bucketHash` of the id), so every script touches one hash slot: a task's hash, its value and its bucket's
 * indexes share the bucket's hash tag. Values set directly live in the bucket of their key.
 */
/** The key kinds that follow the prefix with a ":" (a prefix segment of one of these names could collide). */
export const KEY_KINDS = ["v", "t", "i", "io"] as const;

/**
 * A prefix ends with ":" and none of its ":"-separated segments is a key kind: then no two different
 * prefixes ever share a key (were "P" and "P v:" both allowed, one cache's value "t:x" would be the other's
 * task hash "t:x", and its TTL would delete the task). No "{" or "}": a hash tag would pin every key of the
 * prefix to one Redis Cluster slot.
 */
export const PrefixSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((p) => p.endsWith(":"), 'prefix must end with ":" (e.g. "refcache:" or "myapp:refcache:")')
  .refine((p) => !/[{}]/.test(p), "prefix must not hold { or } (a Redis Cluster hash tag)")
  // Redis keeps a key as UTF-8, where every lone surrogate is U+FFFD: "a\uD800:" and "a\uDBFF:" would share keys.
  .refine(isWellFormedText, "prefix must be well-formed Unicode (no lone surrogate): Redis keeps keys as UTF-8")
  .refine(
    (p) => !p.split(":").some((segment) => (KEY_KINDS as readonly string[]).includes(segment)),
    `no ":"-separated segment of the prefix may be a key kind (${KEY_KINDS.join(", ")}): its keys could be another prefix's`,
  );

/**
 * One bucket of the layout: the prefix its scripts take as P (every key above, under it) and its change
 * channel. The single layout has one bucket, whose prefix is the store's; the cluster layout has
 * `CLUSTER_BUCKETS`, each `P{tag}:` with its own hash tag, so all of a bucket's keys share one hash slot.
 */
export interface Bucket {
  readonly index: number;
  readonly prefix: string;
  readonly changes: string;
}

export type LayoutKind = "single" | "cluster";

export interface KeyLayout {
  /** The store's prefix (as given in the options). */
  readonly prefix: string;
  readonly kind: LayoutKind;
  readonly buckets: readonly Bucket[];
  /** The bucket a task or value id lives in (always the same for the same id). */
  bucketOf(id: string): Bucket;
  value(key: string): string;
  task(refId: string): string;
}

/**
 * How many buckets the cluster layout splits the cross-task indexes into. Fixed: it is part of the stored
 * layout (a task's bucket is derived from its id), so changing it would lose track of existing tasks.
 */
export const CLUSTER_BUCKETS = 16;

/**
 * The hash tag of each cluster bucket: the first `rc<n>-<k>` whose slot lies in the middle half of the
 * bucket's sixteenth of the slot range, so with slots split evenly over the masters (what `redis-cli
 * --cluster create` does) the buckets are too (three masters: 5, 6 and 5 buckets; a tag at the edge of
 * its sixteenth could fall to a neighbour's master). Deterministic, the same in every process and release.
 */
export const CLUSTER_TAGS: readonly string[] = Array.from({ length: CLUSTER_BUCKETS }, (_, n) => {
  const width = 16384 / CLUSTER_BUCKETS;
  for (let k = 0; ; k++) {
    const tag = `rc${n}-${k}`;
    const slot = hashSlot(`{${tag}}`);
    if (slot >= (n + 0.25) * width && slot < (n + 0.75) * width) return tag;
  }
});

export function keyLayout(prefix: string, kind: LayoutKind = "single"): KeyLayout {
  if (kind === "single") {
    const only: Bucket = { index: 0, prefix, changes: `${prefix}changes` };
    return {
      prefix,
      kind,
      buckets: [only],
      bucketOf: () => only,
      value: (key) => `${prefix}v:${key}`,
      task: (refId) => `${prefix}t:${refId}`,
    };
  }
  const buckets: Bucket[] = CLUSTER_TAGS.map((tag, index) => {
    const bucketPrefix = `${prefix}{${tag}}:`;
    return { index, prefix: bucketPrefix, changes: `${bucketPrefix}changes` };
  });
  const bucketOf = (id: string) => buckets[bucketHash(id) % CLUSTER_BUCKETS] as Bucket;
  return {
    prefix,
    kind,
    buckets,
    bucketOf,
    value: (key) => `${bucketOf(key).prefix}v:${key}`,
    task: (refId) => `${bucketOf(refId).prefix}t:${refId}`,
  };
}

/** An owner as the scripts take it: "" for none, "=" + owner otherwise. */
export function ownerArg(owner: string | undefined): string {
  return owner === undefined ? "" : `=${owner}`;
}
