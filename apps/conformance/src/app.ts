/**
 * The fixture app: `/mcp` (SDK v2 line) and `/mcp-v1` (SDK v1 line) over one RefCache, behind the
 * localhost Host and Origin checks of `@modelcontextprotocol/hono`, so a DNS-rebinding request (foreign
 * `Host` or `Origin`) is refused with 403 before any MCP code runs.
 */
import { RefCache } from "@mcp-refcache/core";
import { localhostHostValidation, localhostOriginValidation } from "@modelcontextprotocol/hono";
import { Hono } from "hono";
import { v1Endpoint } from "./v1-endpoint.js";
import { v2Handler } from "./v2-endpoint.js";

export interface FixtureApp {
  app: Hono;
  cache: RefCache;
  close(): Promise<void>;
}

export function createFixtureApp(): FixtureApp {
  const cache = new RefCache({ name: "conformance" });
  const v2 = v2Handler(cache);
  const v1 = v1Endpoint(cache);
  const app = new Hono();
  app.use(localhostHostValidation(), localhostOriginValidation());
  app.all("/mcp", (c) => v2.fetch(c.req.raw));
  app.all("/mcp-v1", (c) => v1.fetch(c.req.raw));
  return {
    app,
    cache,
    close: async () => {
      await v1.close();
      await cache.close();
    },
  };
}
