/** The core types and helpers this package implements and uses, imported from core's public entry in one place. */

export type { Store, TaskInfo, TaskStatus, TaskStore } from "@mcp-refcache/core";
export {
  isTerminalStatus,
  OwnerSchema,
  REF_ID_MAX_LENGTH,
  RefIdSchema,
  StoreError,
  TaskStatusSchema,
  ValidationError,
} from "@mcp-refcache/core";
export type {
  CreateTaskOptions,
  CreateTaskOutcome,
  StoredTask,
  StoreEntry,
  StoreEntryMeta,
  SubscribeOptions,
  TaskChange,
  TaskChangeListener,
  TaskPage,
  TaskQuery,
  UpdateTaskOutcome,
} from "@mcp-refcache/core/store";
export { isOwner, isRefId, isWellFormedText } from "@mcp-refcache/core/store";
