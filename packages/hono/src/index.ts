export {
  type HostOriginGuardOptions,
  HostOriginGuardOptionsSchema,
  hostOriginGuard,
  LOCALHOST_NAMES,
} from "./host-origin-guard.js";
export type { OwnerResolver, RefCacheRoutesOptions, TimeoutFallbackHandlerOptions } from "./options.js";
export { PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, type ProblemCode, problemResponse, problemType } from "./problem.js";
export { refCacheRoutes } from "./routes.js";
export { type SlowHandler, type SlowWorkContext, withTimeoutFallback } from "./timeout-fallback-handler.js";
