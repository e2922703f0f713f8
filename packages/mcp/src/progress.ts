/**
 * Progress of a running tool: recorded in the registry (so `get_task_status` and `tasks/get` see it)
 * and, when the client sent a `progressToken`, sent as `notifications/progress`.
 */
import type { TaskContext } from "@mcp-refcache/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

export interface ProgressUpdate {
  current?: number;
  total?: number;
  message?: string;
}

/** Where progress notifications go, and until when. */
export interface ProgressChannel {
  server: McpServer;
  progressToken: string | number | undefined;
  /**
   * `true` while notifications should go out. A plain call stops at its answer (the client forgets the
   * token then); a native task keeps its token until the task is terminal.
   */
  open(): boolean;
}

/**
 * Records `update` and forwards it. Notifications go on the server object, not on the request:
 * after a CreateTaskResult the request's HTTP stream is closed, while the session's standalone
 * stream still reaches the client, whose `onprogress` matches them by token.
 */
export async function reportProgress(
  task: TaskContext,
  channel: ProgressChannel,
  update: ProgressUpdate,
): Promise<void> {
  const info = await task.reportProgress(update);
  const progress = info?.progress;
  if (progress === undefined || channel.progressToken === undefined || !channel.open()) return;
  await channel.server.server
    .notification({
      method: "notifications/progress",
      params: {
        progressToken: channel.progressToken,
        progress: progress.current ?? progress.percentage ?? 0,
        ...(progress.total === undefined ? {} : { total: progress.total }),
        ...(progress.message === undefined ? {} : { message: progress.message }),
      },
    })
    .catch(() => {
      // The client went away: the registry still has the progress for polling.
    });
}
