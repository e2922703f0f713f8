// Cloudflare Workers module syntax: Hono gets the ExecutionContext, so waitUntil keeps the slow work alive.
import { demoApp } from "./demo-app.js";

export default {
  fetch(request: Request, env: unknown, ctx: unknown) {
    return demoApp().fetch(request, env, ctx as never);
  },
};
