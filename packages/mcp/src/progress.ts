/**
 * Progress of a running tool: recorded in the registry (so `get_task_status` and `tasks/get` see it)
 * and, when the client sent a `progressToken`, sent as `notifications/progress`.
 */
import type { TaskContext } from "@mcp-refcache/core";
import type { ServerNotification } from "@modelcontextprotocol/sdk/types.js";

export interface ProgressUpdate {
  current?: number;
  total?: number;
  message?: string;
}

/** Where progress notifications go, and until when. */
export interface ProgressChannel {
  /**
   * Sends a notification. A plain call sends on its own request (its stream is open until the answer);
   * a native task sends on the server object: after the CreateTaskResult the request's HTTP stream is
   * closed, while the session's standalone stream still reaches the client, whose `onprogress` matches
   * notifications by token.
   */
  send(notification: ServerNotification): Promise<void>;
  progressToken: string | number | undefined;
  /**
   * `true` while notifications should go out. A plain call stops at its answer (the client forgets the
   * token then); a native task keeps its token until the task is terminal.
   */
  open(): boolean;
}

/** Records `update` in the registry and forwards it to the client while the channel is open. */
export async function reportProgress(
  task: TaskContext,
  channel: ProgressChannel,
  update: ProgressUpdate,
): Promise<void> {
  const info = await task.reportProgress(update);
  const progress = info?.progress;
  if (progress === undefined || channel.progressToken === undefined || !channel.open()) return;
  await channel
    .send({
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
