/**
 * The scripted demo `pnpm start` plays against a running harness: the same five scenarios (an inline
 * answer; pending → polled → complete; a failure; a cancel; a 50,000-row table answered as a preview and
 * read back page by page) through a real MCP client and through plain HTTP, and a client that reconnects
 * and follows its reference, telling a person what happens at each step.
 */
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { BIG_TABLE_ROWS, type BigTableRead, readBigTableOverHttp, readBigTableOverMcp } from "./big-table-demo.js";
import { passReferencesOverMcp, type ReferencesRead } from "./references-demo.js";
import { DEMO_SECRET_REF_ID, makeBigTable } from "./tools.js";

export interface DemoOutcome {
  scenario: string;
  via: string;
  /** What the caller got at once. */
  immediate: "complete" | "pending" | "failed" | "preview";
  /** The task's final status (or the inline answer's). */
  status: "complete" | "failed" | "cancelled";
  value?: unknown;
  error?: string;
  /** Progress percentages seen while following the work, in order. */
  progress: number[];
  /** The big table read back page by page. */
  bigTable?: BigTableRead;
  /** The big table passed by reference to the next tools, and the execute-only secret used, never read. */
  references?: ReferencesRead;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TERMINAL = new Set(["complete", "completed", "failed", "cancelled"]);

/** The two MCP clients speak the same `callTool`; this is the little the demo needs of them. */
interface ToolCaller {
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
  readResource(params: { uri: string }): Promise<{ contents: unknown[] }>;
  close(): Promise<void>;
}

interface ToolAnswer {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content?: { type: string; text?: string }[];
}

const textOf = (answer: ToolAnswer) => answer.content?.find((c) => c.type === "text")?.text ?? "";

async function connectMcp(baseUrl: string, line: "v1" | "v2"): Promise<ToolCaller> {
  const info = { name: `harness-demo-${line}`, version: "0.0.0" };
  if (line === "v2") {
    const client = new ClientV2(info);
    await client.connect(new TransportV2(new URL("/mcp", baseUrl)));
    return client as unknown as ToolCaller;
  }
  const client = new ClientV1(info);
  await client.connect(new TransportV1(new URL("/mcp-v1", baseUrl)));
  return client as unknown as ToolCaller;
}

/** Plays the four scenarios through MCP: tool calls, then the polling tools for what went pending. */
export async function mcpDemo(baseUrl: string, line: "v1" | "v2", log: (line: string) => void): Promise<DemoOutcome[]> {
  const via = `MCP (SDK ${line} client, ${line === "v2" ? "/mcp" : "/mcp-v1"})`;
  const client = await connectMcp(baseUrl, line);
  const outcomes: DemoOutcome[] = [];
  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as ToolAnswer;

  const follow = async (scenario: string, refId: string, cancelAfterPolls?: number): Promise<DemoOutcome> => {
    const progress: number[] = [];
    for (let polls = 1; ; polls++) {
      if (polls === cancelAfterPolls) {
        log(`  cancel_task ${refId}`);
        await call("cancel_task", { refId });
      }
      const status = (await call("get_task_status", { refId })).structuredContent ?? {};
      const pct = (status.progress as { percentage?: number } | undefined)?.percentage;
      if (pct !== undefined && progress.at(-1) !== pct) {
        progress.push(pct);
        log(`  get_task_status: ${String(status.status)} ${pct}%`);
      }
      if (TERMINAL.has(String(status.status))) {
        const final = String(status.status) === "completed" ? "complete" : (String(status.status) as "failed");
        const outcome: DemoOutcome = { scenario, via, immediate: "pending", status: final, progress };
        if (final === "complete") {
          outcome.value = (await call("get_cached_result", { refId })).structuredContent;
          log(`  get_cached_result → ${JSON.stringify(outcome.value)}`);
        } else {
          outcome.error = String(status.error ?? status.statusMessage ?? final);
          log(`  ${final}: ${outcome.error}`);
        }
        return outcome;
      }
      await sleep(150);
    }
  };

  const run = async (scenario: string, tool: string, args: Record<string, unknown>, cancelAfterPolls?: number) => {
    log(`\n▶ ${scenario} — ${via}: ${tool}(${JSON.stringify(args)})`);
    const answer = await call(tool, args);
    const refId = answer.structuredContent?.refId;
    if (answer.isError) {
      log(`  failed at once: ${textOf(answer)}`);
      outcomes.push({ scenario, via, immediate: "failed", status: "failed", error: textOf(answer), progress: [] });
    } else if (typeof refId === "string" && answer.structuredContent?.status !== undefined) {
      log(`  pending reference ${refId}; the model is told: "${textOf(answer).split("\n")[0]}"`);
      outcomes.push(await follow(scenario, refId, cancelAfterPolls));
    } else {
      log(`  answered inline: ${JSON.stringify(answer.structuredContent)}`);
      outcomes.push({
        scenario,
        via,
        immediate: "complete",
        status: "complete",
        value: answer.structuredContent,
        progress: [],
      });
    }
  };

  try {
    await run("inline answer", "quick", { text: "hello" });
    await run("slow count", "slow_count", { to: 6, delayMs: 250 });
    await run("failure", "fail_midway", { steps: 6, delayMs: 400 });
    await run("cancel", "run_until_cancelled", { delayMs: 200 }, 3);
    log(`\n▶ big table — ${via}: big_table({"rows":${BIG_TABLE_ROWS}})`);
    const bigTable = await readBigTableOverMcp(call, log);
    log(`\n▶ references — ${via}: the table's refId handed to the next tools; a secret used, never read`);
    const readResource = async (uri: string) =>
      ((await client.readResource({ uri })).contents[0] as { text: string }).text;
    const references = await passReferencesOverMcp(call, bigTable, BIG_TABLE_ROWS, log, readResource);
    outcomes.push({
      scenario: "big table",
      via,
      immediate: "preview",
      status: "complete",
      progress: [],
      bigTable,
      references,
    });
  } finally {
    await client.close();
  }
  return outcomes;
}

/** Plays the four scenarios over HTTP: 200 or 202 + Location, then SSE, the task route, DELETE. */
export async function httpDemo(baseUrl: string, log: (line: string) => void): Promise<DemoOutcome[]> {
  const via = "HTTP (@mcp-refcache/hono)";
  const outcomes: DemoOutcome[] = [];
  const url = (path: string) => new URL(path, baseUrl);

  /** Reads the task's event stream until it ends; returns the last task and the percentages seen. */
  const stream = async (location: string) => {
    const response = await fetch(url(`${location}/events`));
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let last: Record<string, unknown> = {};
    const progress: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const data = buffer
          .slice(0, end)
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trim())
          .join("\n");
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (data === "") continue;
        last = JSON.parse(data) as Record<string, unknown>;
        const pct = (last.progress as { percentage?: number } | undefined)?.percentage;
        if (pct !== undefined && progress.at(-1) !== pct) {
          progress.push(pct);
          log(`  event: ${String(last.status)} ${pct}%`);
        }
      }
    }
    return { last, progress };
  };

  const run = async (scenario: string, path: string, cancel = false) => {
    log(`\n▶ ${scenario} — ${via}: POST ${path}`);
    const response = await fetch(url(path), { method: "POST" });
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status === 200) {
      log(`  200 at once: ${JSON.stringify(body)}`);
      outcomes.push({ scenario, via, immediate: "complete", status: "complete", value: body, progress: [] });
      return;
    }
    if (response.status !== 202) {
      log(`  ${response.status}: ${String(body.detail ?? body.title)}`);
      outcomes.push({ scenario, via, immediate: "failed", status: "failed", error: String(body.detail), progress: [] });
      return;
    }
    const location = response.headers.get("location") as string;
    log(`  202 Accepted, Location: ${location}, Retry-After: ${response.headers.get("retry-after")}`);
    if (cancel) {
      await sleep(500);
      const cancelled = await fetch(url(location), { method: "DELETE" });
      log(`  DELETE ${location} → ${cancelled.status}`);
    }
    const { last, progress } = await stream(location);
    const status = String(last.status) as DemoOutcome["status"];
    const outcome: DemoOutcome = { scenario, via, immediate: "pending", status, progress };
    if (status === "complete") {
      outcome.value = await (await fetch(url(`/refcache/refs/${String(last.refId)}`))).json();
      log(`  GET /refcache/refs/${String(last.refId)} → ${JSON.stringify(outcome.value)}`);
    } else {
      outcome.error = String(last.error ?? status);
      log(`  ${status}: ${outcome.error}`);
    }
    outcomes.push(outcome);
  };

  await run("inline answer", "/demo/quick?text=hello");
  await run("slow count", "/demo/slow-count?to=6&delayMs=250");
  await run("failure", "/demo/fail?steps=6&delayMs=400");
  await run("cancel", "/demo/forever?delayMs=200", true);
  log(`\n▶ big table — ${via}: POST /demo/big-table?rows=${BIG_TABLE_ROWS}`);
  const bigTable = await readBigTableOverHttp(baseUrl, log);
  // The stored table, passed by reference in a JSON body (withTimeoutFallback's refParams).
  const summed = await fetch(url("/demo/sum-column"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ table: { refId: bigTable.refId, path: "/rows" }, column: "score" }),
  });
  const sum = (await summed.json()) as { sum: number; count: number };
  log(`  POST /demo/sum-column with {"table":{"refId":"${bigTable.refId}","path":"/rows"}} → ${JSON.stringify(sum)}`);
  // The execute-only secret cannot be read over HTTP either (server-only and execute-only: 404 or 403).
  const secret = await fetch(url(`/refcache/refs/${encodeURIComponent(DEMO_SECRET_REF_ID)}`));
  const secretBody = await secret.text();
  log(`  GET /refcache/refs/${DEMO_SECRET_REF_ID} → ${secret.status}`);
  const references: ReferencesRead = {
    count: sum.count,
    sum: sum.sum,
    expectedSum: makeBigTable(BIG_TABLE_ROWS).rows.reduce((total, row) => total + row.score, 0),
    largestAnswerChars: JSON.stringify(sum).length,
    secretRefused: secret.status >= 400 && !secretBody.includes("demo-"),
  };
  outcomes.push({
    scenario: "big table",
    via,
    immediate: "complete",
    status: "complete",
    progress: [],
    bigTable,
    references,
  });
  return outcomes;
}

/**
 * A client that reconnects follows its reference: a slow call on one `/mcp-v1` session, the client goes
 * away, and a new client (a new session, on the other SDK line) follows the same refId to its value. A
 * reference belongs to the caller's owner, not to the session (without auth: the anonymous owner).
 */
export async function reconnectDemo(baseUrl: string, log: (line: string) => void): Promise<DemoOutcome> {
  const via = "MCP, reconnected (/mcp-v1, then /mcp)";
  log(`\n▶ reconnect — ${via}: slow_count({"to":4,"delayMs":400}), then the client goes away`);
  const first = await connectMcp(baseUrl, "v1");
  let refId: string;
  try {
    const answer = (await first.callTool({ name: "slow_count", arguments: { to: 4, delayMs: 400 } })) as ToolAnswer;
    refId = String(answer.structuredContent?.refId);
    log(`  pending reference ${refId}; the session ends`);
  } finally {
    await first.close();
  }
  const again = await connectMcp(baseUrl, "v2");
  try {
    log("  a new client on a new session follows the same refId");
    for (;;) {
      const status = ((await again.callTool({ name: "get_task_status", arguments: { refId } })) as ToolAnswer)
        .structuredContent;
      if (status === undefined) throw new Error(`the reconnected client lost ${refId}`);
      if (TERMINAL.has(String(status.status))) break;
      await sleep(150);
    }
    const value = ((await again.callTool({ name: "get_cached_result", arguments: { refId } })) as ToolAnswer)
      .structuredContent;
    log(`  get_cached_result → ${JSON.stringify(value)}`);
    return { scenario: "reconnect", via, immediate: "pending", status: "complete", value, progress: [] };
  } finally {
    await again.close();
  }
}

/** All of it: MCP on both SDK lines, a client that reconnects, then HTTP. */
export async function runDemo(baseUrl: string, log: (line: string) => void): Promise<DemoOutcome[]> {
  return [
    ...(await mcpDemo(baseUrl, "v2", log)),
    ...(await mcpDemo(baseUrl, "v1", log)),
    await reconnectDemo(baseUrl, log),
    ...(await httpDemo(baseUrl, log)),
  ];
}
