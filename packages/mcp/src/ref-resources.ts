/**
 * References as resources on the SDK v1 server: the resource template (`refcache://refs/{refId}` by
 * default) and its `resources/read`, answered by core's `readRefResource` for the caller's owner. A miss —
 * unknown, expired, another owner's — is one InvalidParams error worded the same for each (as the SDK
 * answers an unknown resource); an execute-only value is refused like every other read. Any other failure
 * gets its code from core's table (`toMcpError`): a bad cursor -32602, a store outage or a closed cache
 * -32603. No listing.
 */
import { type McpValueBudget, REF_RESOURCE_METADATA, readRefResource } from "@mcp-refcache/core/mcp";
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { toMcpError } from "./mcp-errors.js";

export interface RefResourcesSettings {
  uriTemplate: string;
  owner: (extra: never) => string;
  valueBudget: McpValueBudget | undefined;
}

/** Registers the reference template on `server`. */
export function registerRefResources(
  server: McpServer,
  cache: Parameters<typeof readRefResource>[0],
  settings: RefResourcesSettings,
): void {
  server.registerResource(
    "refcache-reference",
    new ResourceTemplate(settings.uriTemplate, { list: undefined }),
    {
      ...REF_RESOURCE_METADATA,
    },
    async (uri, _variables, extra) => {
      let read: Awaited<ReturnType<typeof readRefResource>>;
      try {
        read = await readRefResource(cache, uri.href, {
          owner: settings.owner(extra as never),
          valueBudget: settings.valueBudget,
          uriTemplate: settings.uriTemplate,
        });
      } catch (error) {
        throw toMcpError(error);
      }
      if (read === undefined) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Nothing is stored under ${uri.href}: it is unknown, it expired, or it belongs to another client`,
        );
      }
      return { ...read };
    },
  );
}
