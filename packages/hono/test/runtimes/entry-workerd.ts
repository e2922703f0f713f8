// Cloudflare Workers module syntax: Hono gets the ExecutionContext, so waitUntil keeps the slow work alive.
// The header `x-without-wait-until` withholds it: the negative control showing that the work then dies.
import { demoApp } from "./demo-app.js";

export default {
  fetch(request: Request, env: unknown, ctx: unknown) {
    const withWaitUntil = request.headers.get("x-without-wait-until") === null;
    return demoApp.fetch(request, env, (withWaitUntil ? ctx : undefined) as never);
  },
};
