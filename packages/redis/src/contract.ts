/** The core types and helpers this package implements and uses, imported from core's public entry in one place. */

export type {
  CreateTaskOptions,
  CreateTaskOutcome,
  Store,
  StoredTask,
  StoreEntry,
  StoreEntryMeta,
  SubscribeOptions,
  TaskChange,
  TaskChangeListener,
  TaskInfo,
  TaskPage,
  TaskQuery,
  TaskStatus,
  TaskStore,
  UpdateTaskOutcome,
} from "@mcp-refcache/core";
export {
  isTerminalStatus,
  OWNER_MAX_LENGTH,
  OwnerSchema,
  REF_ID_MAX_LENGTH,
  REF_ID_PATTERN,
  RefIdSchema,
  StoreError,
  TaskStatusSchema,
  ValidationError,
} from "@mcp-refcache/core";
