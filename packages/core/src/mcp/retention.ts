/**
 * How long a reference lives, in words a model reads: the spec's guidance for stateful tools asks that a
 * handle's retention be stated (in the tool description, and here also in the answer that hands it out).
 */

/** When a stored value goes away: at a known instant, after a time to live, or not until deleted. */
export type Retention = { expiresAt: number } | { ttlMs: number | null };

/** `45 s`, `10 min`, `2 h`, `3 d`: whole units, rounded, never below one second. */
export function describeDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

/** `kept until 2026-11-30T11:00:00.000Z`, `kept for 1 h`, `kept until deleted`. */
export function describeRetention(retention: Retention): string {
  if ("expiresAt" in retention) return `kept until ${new Date(retention.expiresAt).toISOString()}`;
  return retention.ttlMs === null ? "kept until deleted" : `kept for ${describeDuration(retention.ttlMs)}`;
}
