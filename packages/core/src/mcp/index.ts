/**
 * `@mcp-refcache/core/mcp`: the SDK-free mapping between core and MCP that every MCP adapter shares —
 * polling tool schemas, tool results, JSON-RPC error codes, status names and the task shapes of both MCP
 * task generations.
 */
export {
  INVALID_PARAMS_ERROR_CODE,
  JSON_RPC_ERROR_CODES,
  type McpFailureErrorCode,
  type McpJsonRpcError,
  toJsonRpcError,
} from "./json-rpc-errors.js";
export {
  answerCachedResult,
  answerCancelTask,
  answerTaskStatus,
  type PollingCache,
  type PollingContext,
} from "./polling-tools.js";
export {
  decodeProtocolFailure,
  encodeProtocolFailure,
  INTERNAL_ERROR_CODE,
  type McpProtocolFailure,
} from "./protocol-failure.js";
export {
  DEFAULT_REF_RESOURCE_TEMPLATE,
  parseRefResourceUri,
  REF_PAGE_META_KEY,
  REF_RESOURCE_METADATA,
  type RefResourceCache,
  type RefResourceContents,
  type RefResourcePage,
  type RefResourceReadOptions,
  RefResourceTemplateSchema,
  readRefResource,
  refResourceLink,
  refResourceUri,
} from "./ref-resources.js";
export { RELATED_TASK_META_KEY, withRelatedTask } from "./related-task.js";
export { ownerFromAuthInfo, type RequestAuthInfo, requestOwner } from "./request-owner.js";
export type { McpResourceLinkContent, McpTextContent, McpToolResult } from "./result-shapes.js";
export { describeDuration, describeRetention, type Retention } from "./retention.js";
export { runToolCall, type ToolCallOptions, ToolCallOptionsSchema, type ToolCallOutcome } from "./run-tool-call.js";
export {
  fromMcpTaskStatus,
  isTerminalMcpStatus,
  type McpTaskStatus,
  McpTaskStatusSchema,
  toMcpTaskStatus,
} from "./status.js";
export { finishedTaskToolResult, type TaskAnswerCache } from "./task-answers.js";
export {
  type McpDetailedTaskV2,
  type McpTask,
  type McpTaskError,
  type McpTaskTiming,
  type McpTaskV2,
  TASK_FAILED_ERROR_CODE,
  toCreateTaskResultV2,
  toDetailedTaskV2,
  toMcpTask,
  toMcpTaskStatusV2,
  toMcpTaskV2,
} from "./task-mapping.js";
export { type McpToolErrorKind, toolErrorFromException, toolErrorResult } from "./tool-errors.js";
export {
  appendToDescription,
  type CancelTaskInput,
  CancelTaskInputSchema,
  DEFAULT_POLLING_TOOL_NAMES,
  describeReferenceLifetime,
  describeToolReferences,
  type GetCachedResultInput,
  GetCachedResultInputSchema,
  type GetTaskStatusInput,
  GetTaskStatusInputSchema,
  type PollingToolDescriptionOptions,
  type PollingToolNames,
  PollingToolNamesSchema,
  pollingToolDefinitions,
  ToolNameSchema,
} from "./tool-inputs.js";
export { type ResolvedToolArguments, resolveToolArguments } from "./tool-references.js";
export {
  cachedResultToolResult,
  cancelledToolResult,
  type McpTaskView,
  type NextStepOptions,
  pendingToolResult,
  storedValueStatusToolResult,
  taskOutcomeToolResult,
  taskStatusToolResult,
  valueToolResult,
} from "./tool-results.js";
export {
  executeOnlyToolResult,
  type McpExecuteOnlyReference,
  type McpValueReference,
  type PageAnswerOptions,
  pageToolResult,
  referenceToolResult,
  VALUE_ANSWER_ENVELOPE_CHARS,
  type ValueAnswerOptions,
  valueAnswer,
} from "./value-answers.js";
export {
  answerBudget,
  type McpValueBudget,
  McpValueBudgetSchema,
  type ValueBudgetSource,
} from "./value-budget-option.js";
export { readCachedValue, type ValueReadCache, type ValueReadContext } from "./value-reads.js";
