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
 * Whether `next` tells a reader who was last told `last` (both states of one run of one task) anything new.
 * A later stage (pending → processing → complete | failed | cancelled) always does, an earlier one never.
 * Within one stage, a state older than `last` (`updatedAt`, epoch ms) does not, and one no older does when
 * anything in it differs: two progress updates written in the same millisecond are both news. Timestamps
 * are each writer's own clock, so they order only changes within a stage: a terminal state written by an
 * instance whose clock is behind the runner's is still news.
 */
export function isTaskNews(next: TaskInfo, last: TaskInfo): boolean {
  const forward = stageOf(next) - stageOf(last);
  if (forward !== 0) return forward > 0;
  if (next.updatedAt < last.updatedAt) return false;
  return JSON.stringify(next) !== JSON.stringify(last);
}
