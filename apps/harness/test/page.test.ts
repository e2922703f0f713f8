/**
 * The live page in a real browser (Debian's Chromium, driven by playwright-core): a slow count's bar moves
 * and reaches 100 %, a task cancelled from the page is shown cancelled. Skipped with one line when no
 * browser can be had; under CI=true a missing browser fails.
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RefCache } from "@mcp-refcache/core";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarnessApp, type HarnessApp } from "../src/app.js";
import { type RunningServer, startServer } from "../src/server.js";

const executablePath = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (path): path is string => path !== undefined && path !== "" && existsSync(path),
);
if (executablePath === undefined && process.env.CI !== "true") {
  console.warn("skipped: the live page test needs Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)");
}
const outputDir = fileURLToPath(new URL("../test-results/", import.meta.url));

describe.skipIf(executablePath === undefined && process.env.CI !== "true")("the live page in Chromium", () => {
  let cache: RefCache;
  let harness: HarnessApp;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    if (executablePath === undefined)
      throw new Error("CI=true but no Chromium: install it (apt-get install -y chromium)");
    cache = new RefCache({ name: "harness" });
    harness = createHarnessApp(cache);
    server = await startServer(harness.app, 0);
    browser = await chromium.launch({
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await harness?.close();
    await cache?.close();
  });

  it("shows slow_count's bar moving to 100 %, a cancelled task as cancelled, and a big table as a short preview", async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 860 } });
    await page.goto(server.url);
    await page.getByText("live · updates stream from the server").waitFor();

    const [started] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("/demo/slow-count")),
      page.getByRole("button", { name: /slow_count/ }).click(),
    ]);
    expect(started.status()).toBe(202);
    const { refId } = (await started.json()) as { refId: string };
    const card = page.locator(`article[data-ref-id="${refId}"]`);
    await card.waitFor();

    // Sample the bar while it runs: it must pass through values between 0 and 100.
    const widths = new Set<string>();
    for (let i = 0; i < 100 && (await card.getAttribute("data-status")) !== "complete"; i++) {
      widths.add(
        await card.locator(".fill").evaluate((el) => (el as unknown as { style: { width: string } }).style.width),
      );
      await page.waitForTimeout(100);
    }
    await expect.poll(() => card.getAttribute("data-status"), { timeout: 15_000 }).toBe("complete");
    const between = [...widths].map((w) => Number.parseFloat(w)).filter((w) => w > 0 && w < 100);
    expect(between.length).toBeGreaterThan(1);
    expect(
      await card.locator(".fill").evaluate((el) => (el as unknown as { style: { width: string } }).style.width),
    ).toBe("100%");
    await expect.poll(() => card.locator(".outcome").textContent()).toContain('"count":20');

    const [forever] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("/demo/forever")),
      page.getByRole("button", { name: /until cancelled/ }).click(),
    ]);
    const foreverCard = page.locator(`article[data-ref-id="${((await forever.json()) as { refId: string }).refId}"]`);
    await expect.poll(() => foreverCard.getAttribute("data-status")).toBe("processing");
    await foreverCard.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => foreverCard.getAttribute("data-status")).toBe("cancelled");
    expect(await foreverCard.locator(".badge").textContent()).toBe("cancelled");
    expect((await cache.getTask(((await forever.json()) as { refId: string }).refId))?.status).toBe("cancelled");

    // A 50,000-row table (about 2 MB of JSON) shows as a short preview; the page never loads the whole value.
    const bodies: number[] = [];
    page.on("response", (r) => {
      if (r.url().includes("/refcache/refs/"))
        void r.body().then(
          (b) => bodies.push(b.length),
          () => {},
        );
    });
    const big = await fetch(new URL("/demo/big-table?rows=50000", server.url), { method: "POST" });
    const bigRef = decodeURIComponent((big.headers.get("content-location") as string).split("/").at(-1) as string);
    const bigCard = page.locator(`article[data-ref-id="${bigRef}"]`);
    await expect.poll(() => bigCard.locator(".outcome").textContent(), { timeout: 15_000 }).toContain("preview of");
    const shown = (await bigCard.locator(".outcome").textContent()) as string;
    expect(shown).toContain(`result (preview of ${(await big.text()).length} characters)`);
    expect(shown.length).toBeLessThan(1_000);
    await expect.poll(() => bodies.length).toBeGreaterThan(0);
    expect(Math.max(...bodies)).toBeLessThan(2_000);

    mkdirSync(outputDir, { recursive: true });
    await page.screenshot({ path: `${outputDir}live-page.png`, fullPage: true });
  }, 60_000);
});
