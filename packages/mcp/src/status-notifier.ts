/**
 * Sends `notifications/tasks/status` for native tasks started through this server whenever their
 * status changes (also when another instance cancels them), until they are terminal.
 */
import { isTerminalStatus, type RefCache, type TaskInfo, type TaskStatus } from "@mcp-refcache/core";
import { toMcpTaskStatus } from "@mcp-refcache/core/mcp";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RefCacheTaskStore } from "./task-store.js";

export class StatusNotifier {
  readonly #server: McpServer;
  readonly #store: RefCacheTaskStore;
  readonly #watched = new Map<string, TaskStatus>();
  #unsubscribe: (() => void) | undefined;

  constructor(server: McpServer, cache: RefCache, store: RefCacheTaskStore) {
    this.#server = server;
    this.#store = store;
    this.#unsubscribe = cache.onTaskChange((task) => this.#changed(task));
    const previousOnClose = server.server.onclose;
    server.server.onclose = () => {
      this.close();
      previousOnClose?.();
    };
  }

  /** Starts watching a task this server created for a client that asked for a native task. */
  watch(task: TaskInfo): void {
    if (!isTerminalStatus(task.status)) this.#watched.set(task.refId, task.status);
  }

  /** `true` while the task is watched, i.e. not yet terminal. */
  watching(refId: string): boolean {
    return this.#watched.has(refId);
  }

  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#watched.clear();
  }

  #changed(task: TaskInfo): void {
    const last = this.#watched.get(task.refId);
    if (last === undefined || last === task.status) return;
    if (isTerminalStatus(task.status)) this.#watched.delete(task.refId);
    else this.#watched.set(task.refId, task.status);
    // pending → processing both read "working": not a change the client can see.
    if (toMcpTaskStatus(last) === toMcpTaskStatus(task.status)) return;
    this.#server.server
      .notification({ method: "notifications/tasks/status", params: { ...this.#store.view(task) } })
      .catch(() => {
        // The client went away; the registry keeps the status for tasks/get.
      });
  }
}
