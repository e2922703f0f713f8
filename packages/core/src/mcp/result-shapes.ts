/**
 * The shapes of the MCP tool results core builds (types only, a leaf file): tool-results.ts and
 * tool-errors.ts both build them without importing each other.
 */

/** A `text` content item. */
export interface McpTextContent {
  type: "text";
  text: string;
}

/** A `resource_link` content item (MCP 2025-06-18 and later): a reference served as a resource. */
export interface McpResourceLinkContent {
  type: "resource_link";
  uri: string;
  name: string;
  mimeType: "application/json";
  /** Size of the value's JSON text in bytes, when known. */
  size?: number;
}

/** An MCP `CallToolResult` with text content, as both SDK lines accept it (open, like the SDKs' Result). */
export interface McpToolResult {
  content: (McpTextContent | McpResourceLinkContent)[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
}
