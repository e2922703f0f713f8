/** Serving the harness app on Node with `@hono/node-server`, on 127.0.0.1, with a clear error when the port is taken. */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:53211`. */
  url: string;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is already in use: pick another with --port N (or --port 0 for any free port)`);
    this.name = "PortInUseError";
  }
}

/** Listens on `port` (0: any free port) and resolves once the server accepts connections. */
export function startServer(app: Hono, port: number, hostname = "127.0.0.1"): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info: AddressInfo) => {
      resolve({
        url: `http://${hostname}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            // Streams (SSE) stay open until the server drops them.
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port) : error);
    });
  });
}
