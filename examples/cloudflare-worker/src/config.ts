/**
 * The Worker's configuration, read from its env (wrangler.jsonc `vars`, or `--var` at deploy) and checked
 * with zod: no host is allowed unless configured.
 */
import * as z from "zod";

export const WorkerConfigSchema = z.object({
  /** Comma-separated host names the Worker answers; any other `Host` gets 403 (DNS-rebinding guard). */
  ALLOWED_HOSTS: z
    .string({ error: "set ALLOWED_HOSTS (comma-separated host names) in wrangler.jsonc vars" })
    .transform((text) =>
      text
        .split(",")
        .map((host) => host.trim().toLowerCase())
        .filter((host) => host !== ""),
    )
    .refine((hosts) => hosts.length > 0, "ALLOWED_HOSTS names no host"),
  /** Lease of a running task (ms). */
  TASK_LEASE_MS: z.coerce.number().int().min(100).max(2_147_483_647).default(30_000),
});
export type WorkerConfig = z.output<typeof WorkerConfigSchema>;

export function readConfig(env: object): WorkerConfig | { error: string } {
  const parsed = WorkerConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  return { error: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ") };
}

/** Whether the request's `Host` (port dropped) is one of `allowed`. */
export function hostAllowed(request: Request, allowed: readonly string[]): boolean {
  const host = new URL(request.url).hostname.toLowerCase();
  const header = (request.headers.get("host") ?? host).toLowerCase().replace(/:\d+$/, "");
  return allowed.includes(header) && allowed.includes(host);
}
