/** Starts `fixtures/refcache-process.ts` in a child process and talks to it (see that file). */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./fixtures/refcache-process.ts", import.meta.url));

export interface ProcessEvent {
  event: string;
  refId?: string;
  at?: number;
}

export class RefCacheProcess {
  readonly events: ProcessEvent[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #next = 0;
  readonly exited: Promise<void>;

  constructor(env: { REDIS_URL: string; INSTANCE: string; REDIS_CLUSTER_PORT?: string }) {
    this.#child = spawn(process.execPath, ["--import", "tsx", script], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.exited = new Promise((resolve) => this.#child.once("exit", () => resolve()));
    this.exited.then(() => {
      for (const { reject } of this.#pending.values()) reject(new Error(`${env.INSTANCE} exited`));
      this.#pending.clear();
    });
    createInterface({ input: this.#child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const message = JSON.parse(line) as { id?: number; result?: unknown; error?: string } & ProcessEvent;
      if (message.id === undefined) {
        this.events.push(message);
        return;
      }
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(Object.assign(new Error(message.error), { code: message.error }));
      else waiter?.resolve(message.result);
    });
  }

  call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.stdin?.write(`${JSON.stringify({ id, method, args })}\n`);
    });
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    this.#child.kill(signal);
    return this.exited;
  }
}
