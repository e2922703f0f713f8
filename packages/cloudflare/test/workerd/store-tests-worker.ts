/**
 * The test Worker that runs inside workerd: core's store conformance suite and this package's own store
 * tests, against the Durable Object stores. `GET /tests` lists them; `POST /run?name=…` runs one inside
 * this request and answers `{ ok, error? }`, which the vitest file outside turns into a passed or failed
 * test.
 */
import { describeStoreConformance } from "@mcp-refcache/core/testing";
import { type Env, freshStores, requestEnv, setRequestEnv } from "./fresh-stores.js";
import { defineMigrationTests } from "./migration-tests.js";
import { defineRunnerTests } from "./runner-tests.js";
import { defineStoreTests } from "./store-tests.js";
import { collected } from "./vitest-shim.js";

export { RefCacheShard } from "../../src/index.js";
export { MigrationProbe } from "./migration-tests.js";
export { TestRunner } from "./runner-tests.js";

describeStoreConformance("Durable Object stores", () => freshStores());
defineStoreTests();
defineRunnerTests();
defineMigrationTests(requestEnv);

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    if (url.pathname === "/tests") return Response.json([...collected.keys()]);
    if (url.pathname === "/run" && request.method === "POST") {
      const name = url.searchParams.get("name") ?? "";
      const body = collected.get(name);
      if (body === undefined) return Response.json({ ok: false, error: `no test named "${name}"` }, { status: 404 });
      setRequestEnv(env);
      try {
        await body();
        return Response.json({ ok: true });
      } catch (error) {
        const message = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
        return Response.json({ ok: false, error: message });
      }
    }
    return new Response("not found", { status: 404 });
  },
};
