// The trend chart in headless Chromium, for benches/research.
// Usage: node research.js CHROMIUM PROFILE SITE RUNS QUERY...
// A static server over SITE (single byte ranges, body bytes counted) and
// Chromium over a DevTools pipe. Per query and run, each in a fresh context:
// search/ is loaded with the trend panel closed, then open (`?trend=`), and
// the query typed. Prints one JSON line per load: ms from the input event to
// the results shown and to the chart drawn, and the bytes the query fetched.
const { spawn } = require("child_process");
const http = require("http"), fs = require("fs"), path = require("path");
const [chromium, profile, site, runs, ...queries] = process.argv.slice(2);
let log = [];
const types = { html: "text/html; charset=utf-8", js: "text/javascript", css: "text/css", json: "application/json" };
const server = http.createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = path.join(site, rel);
  if (rel.endsWith("/")) file = path.join(file, "index.html");
  if (!file.startsWith(site) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    log.push([rel, 0]);
    res.writeHead(404);
    return res.end();
  }
  let body = fs.readFileSync(file), status = 200;
  const headers = { "Content-Type": types[path.extname(file).slice(1)] || "application/octet-stream",
    "Accept-Ranges": "bytes", "Cache-Control": "no-store" };
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || "");
  if (range) {
    const total = body.length, from = +range[1];
    if (from >= total) { status = 416; headers["Content-Range"] = "bytes */" + total; body = Buffer.alloc(0); }
    else {
      const to = Math.min(range[2] ? +range[2] : total - 1, total - 1);
      status = 206; headers["Content-Range"] = `bytes ${from}-${to}/${total}`; body = body.subarray(from, to + 1);
    }
  }
  log.push([rel + (range ? " " + range[0] : ""), body.length]);
  res.writeHead(status, headers);
  res.end(body);
});
const proc = spawn(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
  "--user-data-dir=" + profile, "--remote-debugging-pipe", "about:blank"],
  { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] });
const toChrome = proc.stdio[3], fromChrome = proc.stdio[4];
let id = 0, buf = "";
const waiting = new Map();
fromChrome.on("data", (chunk) => {
  buf += chunk.toString("utf8");
  let i;
  while ((i = buf.indexOf("\0")) >= 0) {
    const msg = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    if (msg.id && waiting.has(msg.id)) {
      const { resolve, reject } = waiting.get(msg.id);
      waiting.delete(msg.id);
      msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
    }
  }
});
function send(method, params = {}, sessionId) {
  const msg = { id: ++id, method, params };
  if (sessionId) msg.sessionId = sessionId;
  toChrome.write(JSON.stringify(msg) + "\0");
  return new Promise((resolve, reject) => waiting.set(msg.id, { resolve, reject }));
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function evaluate(s, expression) {
  const r = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, s);
  if (r.exceptionDetails) throw new Error(expression + ": " + JSON.stringify(r.exceptionDetails));
  return r.result.value;
}
async function until(s, expression, ms = 60000) {
  const start = Date.now();
  while (!(await evaluate(s, "!!(" + expression + ")"))) {
    if (Date.now() - start > ms) throw new Error("timed out: " + expression);
    await sleep(10);
  }
}
// Types the query; resolves with ms from the input event to the results
// shown (#search-app's state turns done) and, when the panel is open, to
// the chart drawn (#search-trend's state turns done), each seen by a
// MutationObserver as it happens.
const TYPE = (q) => `new Promise((resolve, reject) => {
  const app = document.getElementById("search-app"), trend = document.getElementById("search-trend");
  const input = document.getElementById("search-q");
  app.dataset.state = "stale";
  trend.removeAttribute("data-state");
  let results = null, chart = null;
  const t0 = performance.now();
  const done = () => {
    if (results === null || (trend.open && chart === null)) return;
    observer.disconnect();
    resolve({ results, chart, count: Number(app.dataset.count), open: trend.open,
      years: trend.querySelectorAll("#trend-table tbody tr").length });
  };
  const observer = new MutationObserver(() => {
    const now = performance.now() - t0;
    if (results === null && app.dataset.state === "done") results = now;
    if (chart === null && trend.dataset.state === "done") chart = now;
    if (app.dataset.state === "error") reject(new Error("search failed"));
    done();
  });
  observer.observe(app, { attributes: true, subtree: true, attributeFilter: ["data-state"] });
  input.value = ${JSON.stringify(q)};
  input.dispatchEvent(new Event("input"));
})`;
server.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}/`;
  try {
    for (const q of queries) {
      for (let r = 0; r < +runs; r++) {
        for (const open of [false, true]) {
          const { browserContextId } = await send("Target.createBrowserContext");
          const { targetId } = await send("Target.createTarget", { url: "about:blank", browserContextId });
          const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
          await send("Emulation.setDeviceMetricsOverride", { width: 1280, height: 800, deviceScaleFactor: 1, mobile: false }, sessionId);
          await send("Page.navigate", { url: base + "search/" + (open ? "?trend=documents" : "") }, sessionId);
          await until(sessionId, "document.readyState === 'complete' && document.getElementById('search-app').dataset.state === 'done'");
          await sleep(100);
          log = [];
          const timing = await evaluate(sessionId, TYPE(q));
          await sleep(100);
          const bytes = log.reduce((t, [, n]) => t + n, 0);
          console.log(JSON.stringify({ q, run: r, ...timing, bytes, fetched: log.map(([p, n]) => p + " " + n) }));
          await send("Target.disposeBrowserContext", { browserContextId });
        }
      }
    }
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  }
  await send("Browser.close").catch(() => {});
  server.close();
});
