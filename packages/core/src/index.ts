/**
 * `@mcp-refcache/core`: what people who use a RefCache call — the cache and its options, the memory
 * stores, the shapes and schemas of tasks and values, typed errors, owners, the timeout fallback and the
 * values API (pages, previews, references). Store authors import from `@mcp-refcache/core/store`, MCP
 * adapters from `@mcp-refcache/core/mcp`, tests from `@mcp-refcache/core/testing`.
 */
export {
  type BackgroundErrorContext,
  type ErrorHook,
  type RefCacheOptions,
  RefCacheOptionsSchema,
} from "./cache-context.js";
export { type Clock, systemClock } from "./clock.js";
export { MAX_VALUE_DEPTH, storedFault } from "./codec.js";
export { DecodedValues } from "./decoded-values.js";
export {
  CacheClosedError,
  clientMessage,
  ErrorCode,
  ExecuteOnlyError,
  errorMessage,
  ForbiddenError,
  failureReason,
  IllegalTransitionError,
  KeyOwnedByTaskError,
  RefCacheError,
  ReferenceUnavailableError,
  StaleRunError,
  StoreError,
  TASK_ERROR_MAX_LENGTH,
  TaskAlreadyActiveError,
  TaskNotCompletedError,
  TaskNotFoundError,
  TooManyTasksError,
  ValidationError,
  type ValidationIssue,
} from "./errors.js";
export { WORKER_LOST_MESSAGE } from "./liveness.js";
export { createMemoryStores, MemoryTaskStore, type MemoryTaskStoreOptions } from "./memory-task-store.js";
export {
  type CacheEntryInfo,
  type ClientEntry,
  isTerminalStatus,
  MAX_TIMER_MS,
  OWNER_MAX_LENGTH,
  OwnerSchema,
  PROGRESS_MESSAGE_MAX_LENGTH,
  REF_ID_MAX_LENGTH,
  REF_ID_PATTERN,
  type ReadOptions,
  ReadOptionsSchema,
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
  ANONYMOUS_OWNER,
  isAnonymousOwner,
  isVisibleTo,
  ownerForPrincipal,
  PRINCIPAL_OWNER_PREFIX,
  resolveOwner,
  SESSION_OWNER_PREFIX,
  sessionOwner,
} from "./owner.js";
export { parseOrThrow } from "./parse.js";
export { RefCache, type WaitForTaskOptions } from "./ref-cache.js";
export { MemoryStore, type Store } from "./store.js";
export type { ProgressUpdater, TaskContext, TaskFunction, TaskHandle, TaskInput } from "./task-input.js";
export { isTaskNews } from "./task-news.js";
export {
  type CompleteTaskOptions,
  type OwnerOptions,
  type RegisterTaskOptions,
  RegisterTaskOptionsSchema,
  type RunOptions,
  type TaskListener,
  type TaskQueryOptions,
  TaskQuerySchema,
} from "./task-options.js";
export type { TaskStore } from "./task-store.js";
export {
  runWithTimeoutFallback,
  type TimeoutFallbackOptions,
  TimeoutFallbackOptionsSchema,
  type TimeoutFallbackResult,
} from "./timeout-fallback.js";
export { appendJsonPointer, isJsonPointer, parseJsonPointer, resolveJsonPointer } from "./values/json-pointer.js";
export { type Measure, measureValue } from "./values/measure.js";
export { type PageValueOptions, pageValue, type ValuePage } from "./values/page.js";
export { type PreviewResult, type PreviewValueOptions, previewValue } from "./values/preview.js";
export {
  isReferenceArgument,
  type ReferenceArgument,
  ReferenceArgumentSchema,
  type ReferenceCache,
  type ReferenceParameters,
  type ResolveRefsOptions,
  referenceArgument,
  referenceInputSchema,
  referenceParameters,
  resolveRefs,
} from "./values/reference-arguments.js";
export {
  ASKED_MAX_CHARS_TEXT,
  AskedMaxCharsSchema,
  DEFAULT_MAX_CHARS,
  DEFAULT_MAX_FULL_CHARS,
  DEFAULT_MAX_VALUE_BYTES,
  MIN_MAX_CHARS,
  type ResolvedValueBudget,
  resolveValueBudget,
  type ValueBudget,
  ValueBudgetSchema,
} from "./values/value-budget.js";
export {
  type PageOptions,
  PageOptionsSchema,
  type PreviewOptions,
  PreviewOptionsSchema,
  ValuePageSchema,
  type ValuePreview,
  ValuePreviewSchema,
} from "./values/value-schemas.js";
