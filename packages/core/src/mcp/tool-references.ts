/**
 * The reference arguments of one MCP tool call, resolved once for every adapter: the opted-in parameters'
 * references replaced by their values before the handler runs, or the `isError` result the model reads
 * (the handler never runs with half an input).
 */
import { type ReferenceCache, type ReferenceParameters, resolveRefs } from "../values/reference-arguments.js";
import type { McpToolResult } from "./result-shapes.js";
import { toolErrorFromException } from "./tool-errors.js";

export type ResolvedToolArguments<A> = { ok: true; args: A } | { ok: false; result: McpToolResult };

/**
 * `args` with their references resolved for `owner` (see `resolveRefs`), or the tool error to answer: an
 * unusable reference in the same words whatever the reason, a bad path or a refused value as invalid input.
 */
export async function resolveToolArguments<A>(
  cache: ReferenceCache,
  args: A,
  parameters: ReferenceParameters | undefined,
  owner: string | undefined,
): Promise<ResolvedToolArguments<A>> {
  if (parameters === undefined) return { ok: true, args };
  try {
    return { ok: true, args: await resolveRefs(cache, args, parameters, { owner }) };
  } catch (error) {
    return { ok: false, result: toolErrorFromException(error, undefined, "invalid_input") };
  }
}
