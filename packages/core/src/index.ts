export { type Clock, systemClock } from "./clock.js";
export {
  CacheClosedError,
  ErrorCode,
  errorMessage,
  IllegalTransitionError,
  KeyOwnedByTaskError,
  parseOrThrow,
  RefCacheError,
  StoreError,
  TaskAlreadyActiveError,
  TaskNotFoundError,
  ValidationError,
  type ValidationIssue,
} from "./errors.js";
export { KeyedMutex } from "./keyed-mutex.js";
export {
  type CacheEntryInfo,
  isTerminalStatus,
  PROGRESS_MESSAGE_MAX_LENGTH,
  REF_ID_MAX_LENGTH,
  REF_ID_PATTERN,
  type RefId,
  RefIdSchema,
  type SetOptions,
  SetOptionsSchema,
  type TaskInfo,
  TaskInfoSchema,
  type TaskProgress,
  TaskProgressSchema,
  type TaskProgressUpdate,
  TaskProgressUpdateSchema,
  type TaskStatus,
  TaskStatusSchema,
  TERMINAL_STATUSES,
  TtlSchema,
} from "./models.js";
export {
  canTransition,
  type ProgressUpdater,
  RefCache,
  type RefCacheOptions,
  RefCacheOptionsSchema,
  type RegisterTaskOptions,
  RegisterTaskOptionsSchema,
  TASK_ERROR_MAX_LENGTH,
  TASK_TRANSITIONS,
  type TaskContext,
  type TaskFunction,
  type TaskHandle,
  type TaskInput,
  type TaskListener,
} from "./ref-cache.js";
export { MemoryStore, type MemoryStoreOptions, type Store, type StoreEntry, type StoreEntryMeta } from "./store.js";
export {
  runWithTimeoutFallback,
  type TimeoutFallbackOptions,
  TimeoutFallbackOptionsSchema,
  type TimeoutFallbackResult,
} from "./timeout-fallback.js";
export { type IntervalHandle, startBackgroundInterval } from "./timer.js";
