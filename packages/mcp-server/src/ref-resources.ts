/**
 * References as resources on the SDK v2 server: the resource template (`refcache://refs/{refId}` by
 * default) and its `resources/read`, answered by core's `readRefResource` for the caller's owner. A miss —
 * unknown, expired, another owner's — is the SDK's resource-not-found error with the same words for each;
 * an execute-only value is refused like every other read. Listing is not offered (it would enumerate ids).
 */
import type { RefCache } from "@mcp-refcache/core";
import { REF_RESOURCE_METADATA, readRefResource } from "@mcp-refcache/core/mcp";
import { type McpServer, ResourceNotFoundError, ResourceTemplate } from "@modelcontextprotocol/server";
import type { ResolvedServerOptions } from "./options.js";
import { toProtocolError } from "./protocol-errors.js";

/** Registers the reference template on `server` (see `RefCacheServerOptions.resources`). */
export function registerRefResources(server: McpServer, cache: RefCache, resolved: ResolvedServerOptions): void {
  const uriTemplate = resolved.resources?.uriTemplate;
  if (uriTemplate === undefined) return;
  server.registerResource(
    "refcache-reference",
    new ResourceTemplate(uriTemplate, { list: undefined }),
    {
      ...REF_RESOURCE_METADATA,
      // A value may be overwritten (ttlMs 0: revalidate), and it is its owner's alone.
      cacheHint: { ttlMs: 0, cacheScope: "private" },
    },
    async (uri, _variables, ctx) => {
      let read: Awaited<ReturnType<typeof readRefResource>>;
      try {
        read = await readRefResource(cache, uri.href, {
          owner: resolved.owner(ctx),
          valueBudget: resolved.valueBudget,
          uriTemplate,
        });
      } catch (error) {
        throw toProtocolError(error);
      }
      if (read === undefined) {
        throw new ResourceNotFoundError(
          uri.href,
          `Nothing is stored under ${uri.href}: it is unknown, it expired, or it belongs to another client`,
        );
      }
      return { ...read };
    },
  );
}
