/**
 * Cheap checks of what a store hands back, so a store that breaks its contract (a plugin bug, a bad
 * deserialiser) fails a call with a typed STORE_ERROR instead of a raw TypeError deep inside the cache.
 * Shape only, not every field: the stores' own conformance suite checks the rest.
 */
import { StoreError } from "./errors.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

export const isTaskReply = (v: unknown): boolean =>
  isObject(v) && typeof v.refId === "string" && typeof v.status === "string" && typeof v.version === "number";

export const isTaskOrNone = (v: unknown): boolean => v === undefined || isTaskReply(v);

/** An update outcome: `ok` with the task, or not, with what the store holds (if anything). */
export const isUpdateOutcome = (v: unknown): boolean =>
  isObject(v) && (v.ok === true ? isTaskReply(v.task) : v.ok === false && isTaskOrNone(v.current));

/** A create outcome: `ok` with the task, or refused with the active task or the active count. */
export const isCreateOutcome = (v: unknown): boolean =>
  isObject(v) &&
  (v.ok === true
    ? isTaskReply(v.task)
    : v.ok === false &&
      ((v.reason === "active" && isTaskReply(v.current)) ||
        (v.reason === "capacity" && typeof v.activeTasks === "number")));

export const isPage = (v: unknown): boolean => isObject(v) && Array.isArray(v.tasks) && v.tasks.every(isTaskReply);

export const isTaskList = (v: unknown): boolean => Array.isArray(v) && v.every(isTaskReply);

export const isIdList = (v: unknown): boolean => Array.isArray(v) && v.every((id) => typeof id === "string");

/** `reply` if `valid` says it has the shape `method` promises, else a STORE_ERROR naming the method. */
export function checkReply<T>(reply: T, valid: (v: unknown) => boolean, method: string, refId?: string): T {
  if (valid(reply)) return reply;
  throw new StoreError(`The task store's ${method} answered with something that is not what it promises`, refId, reply);
}
