// npm run bench — figures for ticket-hooks next to the tools users would pick instead.
// Whole process against whole process, same run, loopback; ratios are what hold on a noisy machine.
// Writes the same figures as JSON to test/bench/results/ (git-ignored).
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const BIN = join(root, "bin", "ticket-hooks.js");
const AUTOCANNON = join(root, "node_modules", "autocannon", "autocannon.js");
const SECRET = "bench-secret";
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20000);
const CONCURRENCY = 64;
// autocannon ends a counted run on its 1 s sampling tick, so throughput is measured over a fixed time.
const LISTEN_FOR = { seconds: Number(process.env.BENCH_LISTEN_SECONDS ?? 5) };
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
// listen's ratio swings most from run to run on a shared machine: more runs, median of the ratios.
const LISTEN_RUNS = Number(process.env.BENCH_LISTEN_RUNS ?? 5);
const only = process.argv.slice(2);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Runs a command to completion; resolves with wall time in ms and output. */
function timed(cmd, args, { stdout = "ignore" } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ["ignore", stdout, "pipe"] });
    let err = "";
    let out = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.stdout?.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0)
        reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.slice(0, 500)}`));
      else resolve({ ms, out, err });
    });
  });
}

/** Starts one of servers.mjs in its own process. */
function startServer(kind) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, "servers.mjs"), kind, SECRET], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout.once("data", (d) => {
      const { port } = JSON.parse(String(d));
      resolve({ url: `http://127.0.0.1:${port}/`, stop: () => child.kill("SIGTERM") });
    });
    child.on("error", reject);
  });
}

const body = JSON.stringify(
  JSON.parse(readFileSync(join(root, "payloads", "whitelabel-ticket-created.json"), "utf8")),
);
const signature = () => {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},s=${createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex")}`;
};
/** autocannon posting the signed created event, `limit` being ["-a", N] or ["-d", seconds]. */
const autocannonArgs = (url, limit = ["-a", String(REQUESTS)], extra = []) => [
  AUTOCANNON,
  "-c",
  String(CONCURRENCY),
  ...limit,
  "-m",
  "POST",
  "-H",
  "content-type=application/json",
  "-H",
  `x-signature=${signature()}`,
  "-b",
  body,
  ...extra,
  url,
];

const rows = [];
const results = {};
const row = (name, value, target, ok) => rows.push({ name, value, target, ok });

async function sendThroughput() {
  const sink = await startServer("sink");
  try {
    const ours = [];
    const theirs = [];
    for (let i = 0; i < RUNS; i++) {
      const a = await timed(process.execPath, [
        BIN,
        "send",
        "created",
        "--to",
        sink.url,
        "--count",
        String(REQUESTS),
        "--concurrency",
        String(CONCURRENCY),
        "--secret",
        SECRET,
      ]);
      ours.push((REQUESTS * 1000) / a.ms);
      const b = await timed(process.execPath, autocannonArgs(sink.url));
      theirs.push((REQUESTS * 1000) / b.ms);
    }
    const us = median(ours);
    const them = median(theirs);
    results.send = {
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      ticket_hooks_rps: us,
      autocannon_rps: them,
      ratio: us / them,
    };
    row("send: ticket-hooks req/s", us.toFixed(0));
    row("send: autocannon req/s", them.toFixed(0));
    row("send: ratio to autocannon", `${(us / them).toFixed(2)}×`, "≥ 1.20×", us / them >= 1.2);
  } finally {
    sink.stop();
  }
}

/**
 * RSS and peak RSS in MB of a live process and its children, from /proc (Linux). listen and
 * replay start node once more with heap flags, so the figures cover both processes.
 */
function memory(pid) {
  const one = (p) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
    } catch {
      return { rss: 0, peak: 0 };
    }
  };
  let children = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean);
  } catch {}
  return [pid, ...children]
    .map(one)
    .reduce((a, b) => ({ rss: a.rss + b.rss, peak: a.peak + b.peak }));
}

/** Starts `ticket-hooks listen` with stdout to /dev/null; resolves once it says Ready. */
function startListener(args) {
  return new Promise((resolve, reject) => {
    const devnull = openSync("/dev/null", "w");
    const child = spawn(process.execPath, [BIN, "listen", "--port", "0", ...args], {
      stdio: ["ignore", devnull, "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
      const m = /Ready: listening on (\S+)/.exec(err);
      if (m && !child.ready) {
        child.ready = true;
        resolve({
          url: m[1],
          pid: child.pid,
          // Resolves with how many requests the listener says it answered.
          stop: () =>
            new Promise((r) => {
              child.once("close", () =>
                r(Number(/Summary: received (\d+)/.exec(err)?.[1] ?? Number.NaN)),
              );
              child.kill("SIGINT");
            }),
        });
      }
    });
    child.on("error", reject);
    child.on("close", (code) => reject(new Error(`listen exited ${code}: ${err}`)));
  });
}

/** Newlines in a file, read in chunks (a recording of a run can be larger than a string may be). */
function countLines(file) {
  const fd = openSync(file, "r");
  const chunk = Buffer.allocUnsafe(1 << 20);
  let count = 0;
  for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
    const part = chunk.subarray(0, n);
    for (let at = part.indexOf(10); at !== -1; at = part.indexOf(10, at + 1)) count++;
  }
  closeSync(fd);
  return count;
}

/** autocannon against a URL, for a number of requests or `{ seconds }`; resolves its JSON result. */
async function cannon(url, amount = REQUESTS) {
  const limit =
    typeof amount === "number" ? ["-a", String(amount)] : ["-d", String(amount.seconds)];
  const { out } = await timed(process.execPath, autocannonArgs(url, limit, ["-j"]), {
    stdout: "pipe",
  });
  const result = JSON.parse(out);
  const seconds = (Date.parse(result.finish) - Date.parse(result.start)) / 1000;
  return { ...result, rps: result.requests.total / seconds };
}

async function listenIngest() {
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-bench-"));
  const figures = { listen: [], verifying: [], bare: [] };
  let recordOk = true;
  try {
    // The three servers in turn, LISTEN_RUNS times: each ratio is taken within one run (the
    // machine's speed drifts between runs), and the median ratio is reported.
    for (let i = 0; i < LISTEN_RUNS; i++) {
      const file = join(dir, `rec-${i}.ndjson`);
      const listener = await startListener(["--secret", SECRET, "--record", file, "--json"]);
      const a = await cannon(listener.url, LISTEN_FOR);
      const answered = await listener.stop();
      figures.listen.push(a.rps);
      const lines = countLines(file);
      rmSync(file);
      if (lines !== answered || a.non2xx !== 0 || a.errors !== 0) recordOk = false;
      results.listen_recording = {
        lines,
        answered,
        autocannon_2xx: a["2xx"],
        non2xx: a.non2xx,
        errors: a.errors,
      };
      const verifying = await startServer("verifying");
      figures.verifying.push((await cannon(verifying.url, LISTEN_FOR)).rps);
      verifying.stop();
      const bare = await startServer("sink");
      figures.bare.push((await cannon(bare.url, LISTEN_FOR)).rps);
      bare.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const l = median(figures.listen);
  const v = median(figures.verifying);
  const b = median(figures.bare);
  const toVerifying = figures.listen.map((x, i) => x / figures.verifying[i]);
  const toBare = figures.listen.map((x, i) => x / figures.bare[i]);
  const ratio = median(toVerifying);
  results.listen = {
    listen_rps: l,
    verifying_rps: v,
    bare_rps: b,
    ratio_to_verifying: ratio,
    ratio_to_bare: median(toBare),
    ratios_to_verifying: toVerifying,
  };
  row("listen: ticket-hooks req/s", l.toFixed(0));
  row("listen: minimal verifying receiver req/s", v.toFixed(0));
  row("listen: bare body-reading server req/s", b.toFixed(0));
  row("listen: ratio to verifying receiver", `${ratio.toFixed(2)}×`, "≥ 0.75×", ratio >= 0.75);
  row(
    "listen: ratio to verifying, range of runs",
    `${Math.min(...toVerifying).toFixed(2)}–${Math.max(...toVerifying).toFixed(2)}×`,
  );
  row("listen: ratio to bare server", `${median(toBare).toFixed(2)}×`);
  row("listen: recorded lines = requests answered", recordOk ? "yes" : "NO", "equal", recordOk);
}

async function startup() {
  const cases = {
    version: [BIN, "--version"],
    dryRun: [BIN, "send", "created", "--dry-run"],
    node: ["-e", "0"],
  };
  const times = { version: [], dryRun: [], node: [] };
  for (let i = 0; i < 11; i++) {
    for (const [name, args] of Object.entries(cases)) {
      const { ms } = await timed(process.execPath, args);
      if (i > 0) times[name].push(ms); // the first round warms the disk cache
    }
  }
  const node = median(times.node);
  const version = median(times.version) / node;
  const dry = median(times.dryRun) / node;
  results.startup = {
    node_ms: node,
    version_ms: median(times.version),
    dry_run_ms: median(times.dryRun),
    version_ratio: version,
    dry_run_ratio: dry,
  };
  row("start-up: node -e 0 ms", node.toFixed(1));
  row("start-up: --version / node", `${version.toFixed(2)}×`, "≤ 1.30×", version <= 1.3);
  row("start-up: send --dry-run / node", `${dry.toFixed(2)}×`, "≤ 1.60×", dry <= 1.6);
}

async function memoryFlat() {
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-bench-"));
  try {
    const listener = await startListener([
      "--secret",
      SECRET,
      "--record",
      join(dir, "mem.ndjson"),
      "--json",
    ]);
    await cannon(listener.url, 1000);
    const early = memory(listener.pid).rss;
    await cannon(listener.url, 99_000);
    const late = memory(listener.pid).rss;
    await listener.stop();
    results.memory_listen = {
      rss_after_1000_mb: early,
      rss_after_100000_mb: late,
      ratio: late / early,
    };
    row("memory: listen RSS after 1k events MB", early.toFixed(1));
    row("memory: listen RSS after 100k events MB", late.toFixed(1));
    row(
      "memory: listen growth 1k → 100k",
      `${(late / early).toFixed(2)}×`,
      "≤ 1.30×",
      late / early <= 1.3,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function replayMemory() {
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-bench-"));
  const events = Number(process.env.BENCH_REPLAY_EVENTS ?? 1_000_000);
  try {
    const file = join(dir, "million.ndjson");
    const line = `${JSON.stringify({
      type: "request",
      received_at: new Date().toISOString(),
      method: "POST",
      path: "/",
      headers: { "content-type": "application/json", "x-signature": signature() },
      body,
      body_encoding: "utf8",
      event_type: "whitelabel-ticket-created",
      event_id: "whev_o48n74r1vsv642vex",
      validation: { valid: true, errors: [], warnings: [] },
      status: 200,
      rejected: false,
    })}\n`;
    const chunk = line.repeat(10_000);
    const fd = openSync(file, "w");
    for (let i = 0; i < events / 10_000; i++) writeSync(fd, chunk);
    closeSync(fd);
    const sink = await startServer("sink");
    const child = spawn(
      process.execPath,
      [BIN, "replay", file, "--to", sink.url, "--secret", SECRET, "--concurrency", "64", "--quiet"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let peak = 0;
    const poll = setInterval(() => {
      const m = memory(child.pid).peak;
      if (m > peak) peak = m;
    }, 100);
    const started = performance.now();
    const code = await new Promise((r) => child.on("close", r));
    clearInterval(poll);
    sink.stop();
    const seconds = (performance.now() - started) / 1000;
    results.memory_replay = { events, peak_rss_mb: peak, seconds, exit: code };
    row(
      `memory: replay ${events.toLocaleString("en")} events, peak RSS MB`,
      peak.toFixed(1),
      "≤ 150",
      peak <= 150 && code === 0,
    );
    row("memory: replay time s", seconds.toFixed(1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SECTIONS = {
  send: sendThroughput,
  listen: listenIngest,
  startup,
  memory: memoryFlat,
  replay: replayMemory,
};

for (const [name, fn] of Object.entries(SECTIONS)) {
  if (only.length === 0 || only.includes(name)) await fn();
}

const width = Math.max(...rows.map((r) => r.name.length));
console.log(
  `\nticket-hooks benchmark — node ${process.version}, median of ${RUNS} run(s) (listen: ${LISTEN_RUNS})\n`,
);
console.log(`${"figure".padEnd(width)}  ${"value".padStart(10)}  target    met`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(width)}  ${String(r.value).padStart(10)}  ${(r.target ?? "").padEnd(8)}  ${r.ok === undefined ? "" : r.ok ? "yes" : "NO"}`,
  );
}
mkdirSync(join(here, "results"), { recursive: true });
const file = join(here, "results", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ node: process.version, date: new Date().toISOString(), runs: RUNS, results, rows }, null, 2)}\n`,
);
console.log(`\nJSON: ${file}`);
