// Bun's built-in server; the port is baked in at bundle time.
import { demoApp } from "./demo-app.js";

declare const __PORT__: number;
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout?: number;
    fetch: (r: Request) => Response | Promise<Response>;
  }): unknown;
};

Bun.serve({ hostname: "127.0.0.1", port: __PORT__, idleTimeout: 60, fetch: (request) => demoApp.fetch(request) });
