// Deno's built-in server; the port is baked in at bundle time.
import { demoApp } from "./demo-app.js";

declare const __PORT__: number;
declare const Deno: {
  serve(options: { hostname: string; port: number }, handler: (r: Request) => Response | Promise<Response>): unknown;
};

Deno.serve({ hostname: "127.0.0.1", port: __PORT__ }, (request) => demoApp.fetch(request));
