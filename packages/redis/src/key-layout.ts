/**
 * Where everything lives in Redis, all under one prefix P (default "refcache:"):
 * `P v:<key>` value hash (d data, c createdAt, e expiresAt, o owner, n version, "" when absent; no `n` in
 *   hashes written before versions existed; native expiry via PEXPIRE),
 * `P t:<id>` task hash (j JSON, v version, s status, o owner, q creation sequence, l lease),
 * `P i:<status>` / `P io:<status>:=<owner>` sorted sets by creation sequence (listing, active count),
 * `P finished` by finish time, `P leases` by lease expiry, `P seq` the sequence, channel `P changes`.
 */
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
