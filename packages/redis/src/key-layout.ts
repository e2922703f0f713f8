import * as z from "zod";

/**
 * Where everything lives in Redis, all under one prefix P (default "refcache:"):
 * `P v:<key>` value hash (d data, c createdAt, e expiresAt, o owner, n version, "" when absent; no `n` in
 *   hashes written before versions existed; native expiry via PEXPIRE),
 * `P t:<id>` task hash (j JSON, v version, s status, o owner, q creation sequence, l lease),
 * `P i:<status>` / `P io:<status>:=<owner>` sorted sets by creation sequence (listing, active count),
 * `P finished` by finish time, `P leases` by lease expiry, `P seq` the sequence, channel `P changes`.
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
  .refine(
    (p) => !p.split(":").some((segment) => (KEY_KINDS as readonly string[]).includes(segment)),
    `no ":"-separated segment of the prefix may be a key kind (${KEY_KINDS.join(", ")}): its keys could be another prefix's`,
  );

export interface KeyLayout {
  readonly prefix: string;
  value(key: string): string;
  task(refId: string): string;
  readonly changes: string;
}

export function keyLayout(prefix: string): KeyLayout {
  return {
    prefix,
    value: (key) => `${prefix}v:${key}`,
    task: (refId) => `${prefix}t:${refId}`,
    changes: `${prefix}changes`,
  };
}

/** An owner as the scripts take it: "" for none, "=" + owner otherwise. */
export function ownerArg(owner: string | undefined): string {
  return owner === undefined ? "" : `=${owner}`;
}
