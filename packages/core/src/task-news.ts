/**
 * Whether a task's state tells a reader something it has not been told: for push transports (Hono's SSE
 * events, MCP task subscriptions), where changes may arrive twice, late, or polled and told at once.
 */
import type { TaskInfo } from "./models.js";

/** How far a run has gone: a task only moves forward through these (pending 0, processing 1, terminal 2). */
function stageOf(task: TaskInfo): number {
  return task.status === "pending" ? 0 : task.status === "processing" ? 1 : 2;
}

/**
 * Whether `next` tells a reader who was last told `last` (two states of one task) anything new.
 *
 * Of another run of the task (another `runId`): news when it is the later run, which counts one more
 * registration (`retryCount`) or started later (`startedAt`); either says so, since the count restarts when
 * a finished task was removed and start times are each registering writer's own clock. So a reader who
 * missed a run's end hears the next run from its first state, and a late read of an earlier run is not told.
 *
 * Of the same run: a later stage (pending → processing → complete | failed | cancelled) always is, an
 * earlier one never. Within one stage, a state older than `last` (`updatedAt`, epoch ms) is not, and one no
 * older is when anything in it differs: two progress updates written in the same millisecond are both news.
 * Timestamps are each writer's own clock, so they order only changes within a stage: a terminal state
 * written by an instance whose clock is behind the runner's is still news.
 */
export function isTaskNews(next: TaskInfo, last: TaskInfo): boolean {
  if (next.runId !== last.runId) return next.retryCount > last.retryCount || next.startedAt > last.startedAt;
  const forward = stageOf(next) - stageOf(last);
  if (forward !== 0) return forward > 0;
  if (next.updatedAt < last.updatedAt) return false;
  return JSON.stringify(next) !== JSON.stringify(last);
}
