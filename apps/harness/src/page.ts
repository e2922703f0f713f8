/**
 * The live page at `/`: every task of the harness, updated through Server-Sent Events, with a progress
 * bar, its age, a cancel button, and a preview of its result (never the whole value, which may be
 * megabytes) or its error once done. Plain HTML, CSS and JS: no build.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mcp-refcache harness</title>
<style>
  :root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --ink: #1b1f24; --muted: #667085;
    --bar: #2563eb; --ok: #15803d; --bad: #b42318; --warn: #b54708; --line: #e4e7ec; }
  @media (prefers-color-scheme: dark) { :root { --bg: #0f1115; --card: #181b21; --ink: #e6e8eb;
    --muted: #98a2b3; --line: #2a2f37; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
  header { padding: 16px 20px; border-bottom: 1px solid var(--line); background: var(--card); }
  h1 { margin: 0 0 4px; font-size: 18px; }
  header p { margin: 0; color: var(--muted); font-size: 13px; }
  main { max-width: 860px; margin: 0 auto; padding: 16px; }
  .actions { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 16px; }
  button { font: inherit; border: 1px solid var(--line); background: var(--card); color: var(--ink);
    padding: 8px 12px; border-radius: 8px; cursor: pointer; }
  button.primary { background: var(--bar); color: #fff; border-color: var(--bar); }
  button.cancel { color: var(--bad); border-color: currentColor; padding: 4px 10px; }
  #empty { color: var(--muted); text-align: center; padding: 32px 0; }
  .task { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 12px 14px; margin-bottom: 10px; }
  .row { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
  .id { font-family: ui-monospace, monospace; font-size: 12px; color: var(--muted); word-break: break-all; flex: 1 1 200px; }
  .badge { font-size: 12px; font-weight: 600; padding: 2px 8px; border-radius: 999px; background: var(--line); }
  .badge.complete { background: #dcfae6; color: var(--ok); }
  .badge.failed { background: #fee4e2; color: var(--bad); }
  .badge.cancelled { background: #fef0c7; color: var(--warn); }
  .age { font-size: 12px; color: var(--muted); }
  .bar { height: 8px; background: var(--line); border-radius: 999px; overflow: hidden; margin: 10px 0 4px; }
  .fill { height: 100%; width: 0; background: var(--bar); transition: width .2s; }
  .meta { font-size: 13px; color: var(--muted); }
  .outcome { margin-top: 6px; font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
  .outcome.error { color: var(--bad); }
</style>
</head>
<body>
<header>
  <h1>mcp-refcache harness</h1>
  <p id="conn">connecting…</p>
</header>
<main>
  <div class="actions">
    <button class="primary" data-start="slow-count">Start slow_count (to 20)</button>
    <button data-start="forever">Start a task that runs until cancelled</button>
    <button data-start="fail">Start a task that fails midway</button>
  </div>
  <div id="tasks"></div>
  <p id="empty">No tasks yet. Start one above, or call a tool through MCP at <code>/mcp</code>.</p>
</main>
<script type="module">
const tasks = new Map();
const list = document.getElementById("tasks");
const empty = document.getElementById("empty");
const conn = document.getElementById("conn");
const ACTIVE = new Set(["pending", "processing"]);
const PREVIEW_CHARS = 600;

function age(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? s + " s" : Math.floor(s / 60) + " min " + (s % 60) + " s";
}

function card(task) {
  let el = document.getElementById("task-" + task.refId);
  if (!el) {
    el = document.createElement("article");
    el.className = "task";
    el.id = "task-" + task.refId;
    el.dataset.refId = task.refId;
    el.innerHTML = '<div class="row"><span class="id"></span><span class="badge"></span><span class="age"></span>' +
      '<button class="cancel" type="button">Cancel</button></div>' +
      '<div class="bar"><div class="fill"></div></div><div class="meta"></div><div class="outcome"></div>';
    el.querySelector(".cancel").addEventListener("click", () => cancel(task.refId));
    list.prepend(el);
  }
  return el;
}

function render(task) {
  tasks.set(task.refId, task);
  const el = card(task);
  el.dataset.status = task.status;
  el.querySelector(".id").textContent = task.refId;
  const badge = el.querySelector(".badge");
  badge.textContent = task.status;
  badge.className = "badge " + task.status;
  const p = task.progress || {};
  const pct = task.status === "complete" ? 100 : (p.percentage ?? 0);
  el.querySelector(".fill").style.width = pct + "%";
  el.querySelector(".meta").textContent = [
    p.percentage !== undefined || task.status === "complete" ? pct + " %" : "",
    p.message ?? "",
  ].filter(Boolean).join(" · ");
  el.querySelector(".cancel").hidden = !ACTIVE.has(task.status);
  const outcome = el.querySelector(".outcome");
  if (task.status === "failed" || task.status === "cancelled") {
    outcome.className = "outcome error";
    outcome.textContent = task.error ? task.status + ": " + task.error : task.status;
  } else if (task.status === "complete" && !el.dataset.fetched) {
    el.dataset.fetched = "1";
    // A preview, never the whole value: a result may be megabytes of JSON.
    fetch("/refcache/refs/" + encodeURIComponent(task.refId) + "/preview?maxChars=" + PREVIEW_CHARS)
      .then((r) => r.json()).then((body) => {
        outcome.className = "outcome";
        outcome.textContent = (body.complete ? "result: " : "result (preview of " + body.totalChars + " characters): ") +
          JSON.stringify(body.preview);
      }, () => {});
  }
  empty.hidden = tasks.size > 0;
  tick();
}

function tick() {
  const now = Date.now();
  for (const task of tasks.values()) {
    const el = document.getElementById("task-" + task.refId);
    if (el) el.querySelector(".age").textContent = age((task.completedAt ?? now) - task.startedAt);
  }
}
setInterval(tick, 1000);

async function cancel(refId) {
  await fetch("/refcache/tasks/" + encodeURIComponent(refId), { method: "DELETE" });
}

for (const button of document.querySelectorAll("[data-start]")) {
  button.addEventListener("click", () => fetch("/demo/" + button.dataset.start, { method: "POST" }));
}

const events = new EventSource("/live");
events.addEventListener("open", () => { conn.textContent = "live · updates stream from the server"; });
events.addEventListener("error", () => { conn.textContent = "reconnecting…"; });
events.addEventListener("task", (e) => render(JSON.parse(e.data)));
</script>
</body>
</html>
`;
