// Node through @hono/node-server; the port is baked in at bundle time.
import { serve } from "@hono/node-server";
import { demoApp } from "./demo-app.js";

declare const __PORT__: number;

serve({ fetch: (request) => demoApp.fetch(request), hostname: "127.0.0.1", port: __PORT__ });
