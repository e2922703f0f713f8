/** `hostOriginGuard`: foreign Host and Origin headers get 403; localhost and configured names pass. */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { hostOriginGuard } from "../src/index.js";
import { problemOf } from "./helpers.js";

function guarded(options?: Parameters<typeof hostOriginGuard>[0]): Hono {
  const app = new Hono();
  app.use(hostOriginGuard(options));
  app.get("/x", (c) => c.text("ok"));
  return app;
}

const get = (app: Hono, headers: Record<string, string>) => app.request("http://127.0.0.1:3000/x", { headers });

describe("hostOriginGuard", () => {
  it("lets localhost names through, with or without a port and an Origin", async () => {
    const app = guarded();
    for (const host of ["localhost", "127.0.0.1:3000", "[::1]:8080", "LOCALHOST:1"]) {
      expect((await get(app, { host })).status, host).toBe(200);
    }
    expect((await get(app, { host: "127.0.0.1:3000", origin: "http://localhost:5173" })).status).toBe(200);
    expect((await app.request("/x")).status).toBe(200); // in-process: the URL stands for Host
  });

  it("refuses foreign Host and Origin headers with a 403 problem", async () => {
    const app = guarded();
    for (const headers of <Record<string, string>[]>[
      { host: "evil.example" },
      { host: "evil.example:3000" },
      { host: "127.0.0.1.evil.example" },
      { host: "localhost", origin: "http://evil.example" },
      { host: "localhost", origin: "null" },
      { host: "localhost", origin: "file://" },
      { host: "a b" },
    ]) {
      const response = await get(app, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await problemOf(response)).toMatchObject({ code: "FOREIGN_ORIGIN", status: 403 });
    }
  });

  it("serves the names it is told to, and only the origins it is told to", async () => {
    const app = guarded({ allowedHosts: ["api.example.com"], allowedOrigins: ["https://app.example.com"] });
    expect((await get(app, { host: "api.example.com" })).status).toBe(200);
    expect((await get(app, { host: "localhost" })).status).toBe(403);
    expect((await get(app, { host: "api.example.com", origin: "https://app.example.com" })).status).toBe(200);
    expect((await get(app, { host: "api.example.com", origin: "https://api.example.com" })).status).toBe(403);
  });

  it("refuses bad options when it is built", () => {
    expect(() => hostOriginGuard({ allowedHosts: [] })).toThrow(/allowedHosts/);
    expect(() => hostOriginGuard({ allowedOrigins: ["https://x.example/path"] })).toThrow(/allowedOrigins/);
    expect(() => hostOriginGuard({ extra: 1 } as never)).toThrow(/extra/);
  });
});
