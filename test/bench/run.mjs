// npm run bench — figures for ticket-hooks next to the tools users would pick instead.
// Throughput is measured where the requests land: a node:http sink in its own process counts them
// and takes the rate between the first and the last arrival (servers.mjs). Timing whole processes
// against autocannon would measure autocannon's clock: it ends a counted run on its one-second
// sampling tick, so most of its time is waiting. Ratios are taken within one run (the machine is
// shared and its speed drifts), and the median of the per-run ratios is reported.
// Writes the same figures as JSON to test/bench/results/ (git-ignored).
//
// Knobs (environment), to run it smaller: BENCH_REQUESTS (200000), BENCH_RUNS (5),
// BENCH_REPLAY_REQUESTS (100000), BENCH_WHOLE_REQUESTS (20000), BENCH_LISTEN_SECONDS (5),
// BENCH_LISTEN_RUNS (5), BENCH_MEMORY_EVENTS (100000), BENCH_REPLAY_EVENTS (1000000), and
// BENCH_STARTUP_RUNS (20). A quick look: `BENCH_QUICK=1 node test/bench/run.mjs` (< 1 minute).
// Sections by name: `node test/bench/run.mjs send listen startup memory`.
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
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const BIN = join(root, "bin", "ticket-hooks.js");
const AUTOCANNON = join(root, "node_modules", "autocannon", "autocannon.js");
const SECRET = "bench-secret";
const QUICK = process.env.BENCH_QUICK === "1";
const knob = (name, full, quick) => Number(process.env[name] ?? (QUICK ? quick : full));
const REQUESTS = knob("BENCH_REQUESTS", 200_000, 20_000);
const REPLAY_REQUESTS = knob("BENCH_REPLAY_REQUESTS", 100_000, 20_000);
const WHOLE_REQUESTS = knob("BENCH_WHOLE_REQUESTS", 20_000, 5_000);
const CONCURRENCY = 64;
const LISTEN_FOR = { seconds: knob("BENCH_LISTEN_SECONDS", 5, 2) };
const RUNS = knob("BENCH_RUNS", 5, 1);
// listen's ratio swings most from run to run on a shared machine: more runs, median of the ratios.
const LISTEN_RUNS = knob("BENCH_LISTEN_RUNS", 5, 1);
const MEMORY_EVENTS = knob("BENCH_MEMORY_EVENTS", 100_000, 20_000);
const REPLAY_EVENTS = knob("BENCH_REPLAY_EVENTS", 1_000_000, 100_000);
const STARTUP_RUNS = knob("BENCH_STARTUP_RUNS", 20, 4);
const HELD_CONNECTIONS = knob("BENCH_HELD_CONNECTIONS", 3000, 1000);
const only = process.argv.slice(2);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×`;
const k = (n) => `${(n / 1000).toFixed(1)}k`;

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

const GNU_TIME = "/usr/bin/time";
const hasGnuTime = (() => {
  try {
    readFileSync(GNU_TIME);
    return true;
  } catch {
    return false;
  }
})();

/**
 * Runs node with args; resolves with the CPU time it used (user + system, ms; NaN without GNU
 * time): on a shared machine a sender's CPU per request holds where its rate swings.
 */
async function cpuTimed(args) {
  if (!hasGnuTime) return { ...(await timed(process.execPath, args)), cpuMs: Number.NaN };
  const r = await timed(GNU_TIME, ["-f", "cpu %U %S", process.execPath, ...args]);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.err);
  return { ...r, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN };
}

/**
 * Starts one of servers.mjs in its own process. `report()` resolves with what arrived since the
 * last report: { count, seconds, rate } (rate between the first and the last arrival).
 */
function startServer(kind) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, "servers.mjs"), kind, SECRET], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let buffered = "";
    const waiting = [];
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d) => {
      buffered += d;
      for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
        const line = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if ("port" in line) {
          resolve({
            url: `http://127.0.0.1:${line.port}/`,
            pid: child.pid,
            report: () =>
              new Promise((r) => {
                waiting.push(r);
                child.stdin.write("report\n");
              }),
            stop: () => {
              child.stdin.end();
              child.kill("SIGTERM");
            },
          });
        } else {
          waiting.shift()?.(line);
        }
      }
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

/** One line of a real `listen --secret --record` file: the created event, signed and accepted. */
let recordedLine;
async function recordOne() {
  if (recordedLine) return recordedLine;
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-bench-"));
  try {
    const file = join(dir, "one.ndjson");
    const listener = await startListener(["--secret", SECRET, "--record", file]);
    const res = await fetch(listener.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature": signature() },
      body,
    });
    await res.arrayBuffer();
    await listener.stop();
    recordedLine = readFileSync(file, "utf8").trim();
    if (res.status !== 200 || !recordedLine.includes('"status":200')) {
      throw new Error(
        `the listener did not accept the bench's event: ${recordedLine.slice(0, 300)}`,
      );
    }
    return recordedLine;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A `listen --record` file of `events` copies of one real recorded request. */
async function writeRecording(file, events) {
  const line = `${await recordOne()}\n`;
  const block = Math.min(events, 10_000);
  const chunk = line.repeat(block);
  const fd = openSync(file, "w");
  for (let written = 0; written < events; written += block) {
    writeSync(fd, written + block <= events ? chunk : line.repeat(events - written));
  }
  closeSync(fd);
}

const sendArgs = (url, count) => [
  BIN,
  "send",
  "created",
  "--to",
  url,
  "--count",
  String(count),
  "--concurrency",
  String(CONCURRENCY),
  "--secret",
  SECRET,
  "--quiet",
];
/** The ceiling for a sender on undici (undici-loop.mjs): Pool.dispatch and an HMAC, nothing else. */
const undiciLoopArgs = (url, bodyFile) => [
  join(here, "undici-loop.mjs"),
  url,
  String(REQUESTS),
  String(CONCURRENCY),
  SECRET,
  bodyFile,
];
const replayArgs = (file, url) => [
  BIN,
  "replay",
  file,
  "--to",
  url,
  "--secret",
  SECRET,
  "--concurrency",
  String(CONCURRENCY),
  "--quiet",
];

/**
 * send, autocannon and replay take turns into one sink, in a rotating order, RUNS times; the
 * ratios are taken within each run. Each figure is the sink's rate between the first and the last
 * arrival; each count must equal what was sent.
 */
async function sendThroughput() {
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-bench-"));
  const recording = join(dir, "replay.ndjson");
  await writeRecording(recording, REPLAY_REQUESTS);
  const sink = await startServer("sink");
  const bodyFile = join(dir, "body.json");
  writeFileSync(bodyFile, body);
  const figures = { send: [], autocannon: [], replay: [], undici: [] };
  let countsOk = true;
  const cpu = { send: [], autocannon: [], replay: [], undici: [] };
  const measure = async (name, args, expected) => {
    const { cpuMs } = await cpuTimed(args);
    const r = await sink.report();
    if (r.count !== expected) {
      countsOk = false;
      console.error(`sink counted ${r.count}, expected ${expected}: ${args.slice(1, 3).join(" ")}`);
    }
    cpu[name].push((cpuMs * 1000) / expected);
    return r.rate;
  };
  try {
    // They take turns in a rotating order: none always goes first (or after the others have
    // warmed the sink).
    const names = ["send", "autocannon", "replay", "undici"];
    const runs = {
      send: () => measure("send", sendArgs(sink.url, REQUESTS), REQUESTS),
      autocannon: () => measure("autocannon", autocannonArgs(sink.url), REQUESTS),
      replay: () => measure("replay", replayArgs(recording, sink.url), REPLAY_REQUESTS),
      undici: () => measure("undici", undiciLoopArgs(sink.url, bodyFile), REQUESTS),
    };
    for (let i = 0; i < RUNS; i++) {
      const order = names.map((_, j) => names[(i + j) % names.length]);
      for (const name of order) figures[name].push(await runs[name]());
      console.error(
        `run ${i + 1}/${RUNS}: ${names.map((n) => `${n} ${k(figures[n][i])}/s`).join(", ")}; CPU µs/request: ${names.map((n) => `${n} ${cpu[n][i]?.toFixed(1)}`).join(", ")}`,
      );
    }
  } finally {
    sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const toCannon = figures.send.map((x, i) => x / figures.autocannon[i]);
  const replayToSend = figures.replay.map((x, i) => x / figures.send[i]);
  const undiciToCannon = figures.undici.map((x, i) => x / figures.autocannon[i]);
  const sendToUndici = figures.send.map((x, i) => x / figures.undici[i]);
  const ratio = median(toCannon);
  const replayRatio = median(replayToSend);
  results.send = {
    requests: REQUESTS,
    replay_requests: REPLAY_REQUESTS,
    concurrency: CONCURRENCY,
    ...figures,
    ratios_to_autocannon: toCannon,
    ratio_to_autocannon: ratio,
    replay_ratios_to_send: replayToSend,
    replay_ratio_to_send: replayRatio,
    undici_ratios_to_autocannon: undiciToCannon,
    send_ratios_to_undici: sendToUndici,
    counts_ok: countsOk,
    cpu_us_per_request: cpu,
  };
  const n = REQUESTS.toLocaleString("en");
  row(
    `send: ticket-hooks, ${n} requests, 64 connections, req/s at the sink`,
    median(figures.send).toFixed(0),
  );
  row(
    `send: autocannon, same payload and connections, req/s at the sink`,
    median(figures.autocannon).toFixed(0),
  );
  row(
    `send: ratio to autocannon (runs ${range(toCannon)})`,
    `${ratio.toFixed(2)}×`,
    "≥ 0.90×",
    ratio >= 0.9,
  );
  row(
    "send: reference, undici's Pool.dispatch + HMAC and nothing else, req/s at the sink",
    median(figures.undici).toFixed(0),
  );
  row(
    `send: that reference's ratio to autocannon (runs ${range(undiciToCannon)})`,
    `${median(undiciToCannon).toFixed(2)}×`,
  );
  row(
    `send: ratio to that reference (runs ${range(sendToUndici)})`,
    `${median(sendToUndici).toFixed(2)}×`,
  );
  row(
    `replay: ${REPLAY_REQUESTS.toLocaleString("en")} recorded events, req/s at the sink`,
    median(figures.replay).toFixed(0),
  );
  row(
    `replay: ratio to send (runs ${range(replayToSend)})`,
    `${replayRatio.toFixed(2)}×`,
    "≥ 0.90×",
    replayRatio >= 0.9,
  );
  if (cpu.send.every(Number.isFinite)) {
    const cpuRatio = median(cpu.autocannon.map((x, i) => x / cpu.send[i]));
    row(
      "send: CPU µs per request, ticket-hooks / autocannon / replay / undici reference",
      [cpu.send, cpu.autocannon, cpu.replay, cpu.undici]
        .map((xs) => median(xs).toFixed(1))
        .join(" / "),
    );
    row(
      "send: autocannon's CPU per request / send's (load-independent)",
      `${cpuRatio.toFixed(2)}×`,
    );
    results.send.cpu_ratio = cpuRatio;
  }
  row("send/replay: sink counted every request sent", countsOk ? "yes" : "NO", "equal", countsOk);
}

/**
 * Informative only: whole-process time for a small counted run, as a CI smoke test feels it. It
 * includes node's start-up and, for autocannon, the wait for its next one-second tick.
 */
async function wholeProcess() {
  const sink = await startServer("sink");
  const ours = [];
  const theirs = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      ours.push((await timed(process.execPath, sendArgs(sink.url, WHOLE_REQUESTS))).ms);
      theirs.push(
        (await timed(process.execPath, autocannonArgs(sink.url, ["-a", String(WHOLE_REQUESTS)])))
          .ms,
      );
      await sink.report();
    }
  } finally {
    sink.stop();
  }
  const ratio = median(theirs.map((t, i) => t / ours[i]));
  results.whole_process = { requests: WHOLE_REQUESTS, send_ms: ours, autocannon_ms: theirs, ratio };
  const n = WHOLE_REQUESTS.toLocaleString("en");
  row(`informative: whole-process time, send ${n} requests, ms`, median(ours).toFixed(0));
  row(`informative: whole-process time, autocannon -a ${n}, ms`, median(theirs).toFixed(0));
  row("informative: autocannon time / send time (not throughput)", `${ratio.toFixed(2)}×`);
}

/** RSS and peak RSS in MB of a live process, from /proc (Linux). */
function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
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
  row("listen: ticket-hooks --secret --record --json, req/s", l.toFixed(0));
  row("listen: minimal verifying receiver req/s", v.toFixed(0));
  row("listen: bare body-reading server req/s", b.toFixed(0));
  row("listen: ratio to verifying receiver", `${ratio.toFixed(2)}×`, "≥ 0.80×", ratio >= 0.8);
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
  for (let i = 0; i <= STARTUP_RUNS; i++) {
    for (const [name, args] of Object.entries(cases)) {
      const { ms } = await timed(process.execPath, args);
      if (i > 0) times[name].push(ms); // the first round warms the disk cache
    }
  }
  // Each round's ratio is taken against the node run beside it (pairs hold when the machine's
  // speed drifts), and the median of those is reported.
  const node = median(times.node);
  const paired = (name) => median(times[name].map((ms, i) => ms / times.node[i]));
  const version = paired("version");
  const dry = paired("dryRun");
  results.startup = {
    node_ms: node,
    version_ms: median(times.version),
    dry_run_ms: median(times.dryRun),
    version_ratio: version,
    dry_run_ratio: dry,
  };
  row("start-up: node -e 0 ms", node.toFixed(1));
  row("start-up: --version / node", `${version.toFixed(2)}×`, "≤ 1.20×", version <= 1.2);
  row("start-up: send --dry-run / node", `${dry.toFixed(2)}×`, "≤ 1.50×", dry <= 1.5);
  const counted = await instructions(cases);
  if (counted) {
    results.startup.instructions = counted;
    const ratio = (name) => `${(counted[name] / counted.node).toFixed(2)}×`;
    row(
      "start-up, instructions (callgrind; the same whatever the load): --version / dry run, vs node",
      `${ratio("version")} / ${ratio("dryRun")}`,
    );
  }
}

/**
 * Instructions each command executes, counted by valgrind's callgrind (when it is installed): a
 * start-up figure that does not move with what else the machine runs, as wall time does.
 */
async function instructions(cases) {
  const counted = {};
  for (const [name, args] of Object.entries(cases)) {
    try {
      const { err } = await timed("valgrind", [
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        process.execPath,
        ...args,
      ]);
      const refs = /I\s+refs:\s+([\d,]+)/.exec(err)?.[1];
      if (!refs) return null;
      counted[name] = Number(refs.replaceAll(",", ""));
    } catch {
      return null; // no valgrind here
    }
  }
  return counted;
}

/**
 * RSS (MB) of a server after 1,000 events and after MEMORY_EVENTS; with `further`, also after that
 * many more (flatness once V8's young generation has reached its size).
 */
async function rssGrowth(url, pid, further = 0) {
  await cannon(url, 1000);
  const early = memory(pid).rss;
  await cannon(url, MEMORY_EVENTS - 1000);
  const late = memory(pid).rss;
  const growth = { rss_after_1000_mb: early, rss_after_mb: late, ratio: late / early };
  if (further === 0) return growth;
  await cannon(url, further);
  const later = memory(pid).rss;
  return {
    ...growth,
    further_events: further,
    rss_after_further_mb: later,
    later_ratio: later / late,
  };
}

/**
 * listen's resident memory after 1,000 events and after MEMORY_EVENTS: flat, one process. Beside
 * it, the minimal verifying receiver (servers.mjs) under the same load: what V8 alone does with a
 * node:http server's memory as it warms up (its young generation grows to its working size).
 */
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
    const ours = await rssGrowth(listener.url, listener.pid, 2 * MEMORY_EVENTS);
    await listener.stop();
    const receiver = await startServer("verifying");
    let reference;
    try {
      reference = await rssGrowth(receiver.url, receiver.pid);
    } finally {
      receiver.stop();
    }
    results.memory_listen = { events: MEMORY_EVENTS, ...ours, verifying_receiver: reference };
    const mb = (r) => `${r.rss_after_1000_mb.toFixed(1)} → ${r.rss_after_mb.toFixed(1)}`;
    row(`memory: listen RSS after 1k → ${k(MEMORY_EVENTS)} events, MB`, mb(ours));
    row("memory: listen RSS growth", `${ours.ratio.toFixed(2)}×`, "≤ 1.20×", ours.ratio <= 1.2);
    row(
      `memory: listen RSS after ${k(MEMORY_EVENTS)} → ${k(3 * MEMORY_EVENTS)} events, MB (${ours.later_ratio.toFixed(2)}×)`,
      `${ours.rss_after_mb.toFixed(1)} → ${ours.rss_after_further_mb.toFixed(1)}`,
    );
    row(`memory: minimal verifying receiver RSS, 1k → ${k(MEMORY_EVENTS)}, MB`, mb(reference));
    row("memory: minimal verifying receiver RSS growth", `${reference.ratio.toFixed(2)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Replays a recording of `events` into a sink; resolves with its peak RSS (MB) and exit code. */
async function replayPeak(dir, events) {
  const file = join(dir, `replay-${events}.ndjson`);
  await writeRecording(file, events);
  const sink = await startServer("sink");
  try {
    const child = spawn(process.execPath, replayArgs(file, sink.url), {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let peak = 0;
    const poll = setInterval(() => {
      peak = Math.max(peak, memory(child.pid).peak);
    }, 50);
    const code = await new Promise((r) => child.on("close", r));
    clearInterval(poll);
    const { count } = await sink.report();
    return { events, peak_rss_mb: peak, exit: code, arrived: count };
  } finally {
    sink.stop();
    rmSync(file, { force: true });
  }
}

/** replay's peak resident memory for REPLAY_EVENTS recorded events vs a tenth of them. */
async function replayMemory() {
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-bench-"));
  try {
    const small = await replayPeak(dir, REPLAY_EVENTS / 10);
    const large = await replayPeak(dir, REPLAY_EVENTS);
    const ratio = large.peak_rss_mb / small.peak_rss_mb;
    const ok = [small, large].every((r) => r.exit === 0 && r.arrived === r.events);
    results.memory_replay = { small, large, ratio };
    row(
      `memory: replay peak RSS, ${k(small.events)} → ${k(large.events)} events, MB`,
      `${small.peak_rss_mb.toFixed(1)} → ${large.peak_rss_mb.toFixed(1)}`,
    );
    row("memory: replay peak RSS growth", `${ratio.toFixed(2)}×`, "≤ 1.10×", ratio <= 1.1 && ok);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MIB = 1024 * 1024;

/**
 * One connection that declares a 1 MiB body, sends all of it but its last byte, and holds.
 * Resolves once it is held (everything written) or turned away (closed by the listener).
 */
function holdOne(port, head, body) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let settled = false;
    const settle = (state) => {
      if (settled) return;
      settled = true;
      resolve({ socket, state: () => (answer.startsWith("HTTP/1.1 503") ? "503" : state) });
    };
    socket.setEncoding("latin1");
    socket.on("data", (d) => {
      answer += d;
    });
    socket.on("error", () => {});
    socket.on("close", () => settle("closed"));
    socket.write(head);
    socket.write(body, () => settle("held"));
  });
}

/** Polls until `test()` holds or `ms` pass; resolves whether it held. */
async function until(test, ms) {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * HELD_CONNECTIONS clients each declare a 1 MiB body, send all but its last byte and hold, then
 * go away. Resolves the server's idle, peak and after resident memory (MB) and the 503 count.
 */
async function holdAttack(url, pid, done) {
  const { port } = new URL(url);
  const idle = memory(pid).rss;
  const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${MIB}\r\n\r\n`;
  const body = Buffer.alloc(MIB - 1, "p");
  let peak = 0;
  const poll = setInterval(() => {
    peak = Math.max(peak, memory(pid).peak);
  }, 50);
  const conns = [];
  // In batches of 500: the client's own buffers stay small, the server sees them all at once.
  for (let i = 0; i < HELD_CONNECTIONS; i += 500) {
    const batch = Math.min(500, HELD_CONNECTIONS - i);
    const held = Array.from({ length: batch }, () => holdOne(Number(port), head, body));
    conns.push(...(await Promise.all(held)));
  }
  const turnedAway = conns.filter((c) => c.state() === "503").length;
  peak = Math.max(peak, memory(pid).peak);
  for (const c of conns) c.socket.destroy();
  const finished = await done();
  // Memory given back, if it is, within a few seconds of the clients going away.
  await until(() => memory(pid).rss <= 1.2 * idle, 5_000);
  clearInterval(poll);
  return {
    idle_rss_mb: idle,
    peak_rss_mb: peak,
    after_rss_mb: memory(pid).rss,
    turnedAway,
    finished,
  };
}

/**
 * listen under HELD_CONNECTIONS clients holding 1 MiB bodies: its peak resident memory, and its
 * memory after they went away against idle; beside it, a node:http server that keeps no byte of
 * the bodies (servers.mjs discard) under the same clients: what node and its allocator keep alone.
 */
async function heldBodies() {
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-bench-"));
  const file = join(dir, "held.ndjson");
  try {
    const listener = await startListener(["--record", file]);
    // Every connection is recorded: answered 503, or aborted when its client went away.
    const ours = await holdAttack(listener.url, listener.pid, () =>
      until(() => countLines(file) >= HELD_CONNECTIONS, 60_000),
    );
    const recordedLines = countLines(file);
    const fileMb = readFileSync(file).length / MIB;
    await listener.stop();
    const bare = await startServer("discard");
    let reference;
    try {
      reference = await holdAttack(bare.url, bare.pid, async () => true);
    } finally {
      bare.stop();
    }
    results.memory_held = {
      connections: HELD_CONNECTIONS,
      listen: { ...ours, recorded_lines: recordedLines, recording_mb: fileMb },
      discarding_node_server: reference,
    };
    const ratio = (r) => r.after_rss_mb / r.idle_rss_mb;
    const mb = (r) =>
      `${r.idle_rss_mb.toFixed(0)} / ${r.peak_rss_mb.toFixed(0)} / ${r.after_rss_mb.toFixed(0)}`;
    row(
      `memory: listen peak RSS, ${HELD_CONNECTIONS} clients holding 1 MiB bodies, MB`,
      ours.peak_rss_mb.toFixed(1),
      "≤ 300",
      ours.peak_rss_mb <= 300,
    );
    row(
      "memory: listen RSS after they went away / idle",
      `${ratio(ours).toFixed(2)}×`,
      "≤ 1.20×",
      ratio(ours) <= 1.2,
    );
    row("memory: listen RSS idle / peak / after, MB", mb(ours));
    row(
      "memory: of them, answered 503 busy / recorded lines / recording MB",
      `${ours.turnedAway} / ${recordedLines} / ${fileMb.toFixed(1)}`,
      "lines = clients",
      recordedLines === HELD_CONNECTIONS,
    );
    row("memory: node:http keeping no body, RSS idle / peak / after, MB", mb(reference));
    row("memory: node:http keeping no body, after / idle", `${ratio(reference).toFixed(2)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `ticket-hooks ARGS` with stdout to /dev/null; resolves once stderr says the web inspector's URL. */
function startWithWeb(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const devnull = openSync("/dev/null", "w");
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", devnull, "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
      const web = /Web inspector: (\S+)/.exec(err)?.[1];
      const url = /Ready: listening on (\S+)/.exec(err)?.[1];
      if (web && (url || !args.includes("listen")) && !child.ready) {
        child.ready = true;
        resolve({
          web,
          url,
          started,
          stop: () =>
            new Promise((r) => {
              child.once("close", r);
              child.kill("SIGINT");
            }),
        });
      }
    });
    child.on("error", reject);
    child.on("close", (code) => child.ready || reject(new Error(`exited ${code}: ${err}`)));
  });
}

/**
 * The web inspector: listen's rate with a page open and following against without one (in turn,
 * LISTEN_RUNS times, the median of the per-run ratios); how soon `inspect --web` paints the first
 * rows of a 1,000,000-line recording; and the page's JS heap with 100,000 rows, and its longest
 * task while scrolling through them (read in Chromium through the DevTools protocol).
 */
async function webInspector() {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  const dir = mkdtempSync(join(tmpdir(), "ticket-hooks-bench-"));
  try {
    await webListenRate(browser);
    await webFirstPaint(browser, dir);
    await webHundredThousand(browser, dir);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function webListenRate(browser) {
  const plain = [];
  const without = [];
  const withPage = [];
  const webArgs = ["listen", "--port", "0", "--secret", SECRET, "--web", "--web-port", "0"];
  for (let i = 0; i < LISTEN_RUNS; i++) {
    const bare = await startListener(["--secret", SECRET]);
    plain.push((await cannon(bare.url, LISTEN_FOR)).rps);
    await bare.stop();
    const alone = await startWithWeb(webArgs);
    without.push((await cannon(alone.url, LISTEN_FOR)).rps);
    await alone.stop();
    const listener = await startWithWeb(webArgs);
    const page = await browser.newPage();
    await page.goto(listener.web);
    await page.waitForSelector("#state");
    withPage.push((await cannon(listener.url, LISTEN_FOR)).rps);
    // The page kept up: its count is every request the listener kept (its log holds 1,000).
    results.web_listen_page_count = await page.locator("#count").textContent();
    await page.close();
    await listener.stop();
  }
  const ratios = withPage.map((x, i) => x / without[i]);
  const ratio = median(ratios);
  const toPlain = median(withPage.map((x, i) => x / plain[i]));
  results.web_listen = {
    plain_rps: median(plain),
    without_page_rps: median(without),
    with_page_rps: median(withPage),
    ratios,
    ratio_to_plain: toPlain,
  };
  row("web: listen req/s (no --web)", median(plain).toFixed(0));
  row("web: listen --web req/s, no page open", median(without).toFixed(0));
  row("web: listen --web req/s, a page open and following", median(withPage).toFixed(0));
  row("web: ratio with a page to without", `${ratio.toFixed(2)}×`, "≥ 0.90×", ratio >= 0.9);
  row("web: ratio, range of runs", range(ratios));
  row("web: ratio with a page to listen without --web", `${toPlain.toFixed(2)}×`);
}

async function webFirstPaint(browser, dir) {
  const file = join(dir, "million.ndjson");
  await writeRecording(file, REPLAY_EVENTS);
  const page = await browser.newPage();
  const times = [];
  for (let i = 0; i < Math.max(1, Math.min(RUNS, 3)); i++) {
    const inspect = await startWithWeb(["inspect", file, "--web", "--web-port", "0"]);
    await page.goto(inspect.web);
    await page.waitForSelector("#rows .row[data-seq]");
    times.push(performance.now() - inspect.started);
    await inspect.stop();
  }
  await page.close();
  const ms = median(times);
  results.web_first_paint = { lines: REPLAY_EVENTS, ms: times };
  row(
    `web: inspect --web ${k(REPLAY_EVENTS)} lines, first rows painted (ms)`,
    ms.toFixed(0),
    "≤ 1500",
    ms <= 1500,
  );
}

async function webHundredThousand(browser, dir) {
  const rows = QUICK ? 20_000 : 100_000;
  const file = join(dir, "rows.ndjson");
  await writeRecording(file, rows);
  const inspect = await startWithWeb(["inspect", file, "--web", "--web-port", "0"]);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(inspect.web);
    await page
      .locator("#count")
      .getByText(`${rows.toLocaleString("en-US")} shown`)
      .waitFor({ timeout: 60_000 });
    await page.evaluate(() => {
      globalThis.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) globalThis.longTasks.push(e.duration);
      }).observe({ type: "longtask" });
    });
    // Scroll from the top to the end in 200 steps, a frame apart, as a wheel would.
    await page.evaluate(async () => {
      const v = document.getElementById("viewport");
      v.scrollTop = 0;
      const step = v.scrollHeight / 200;
      for (let i = 0; i <= 200; i++) {
        v.scrollTop = i * step;
        await new Promise((r) => requestAnimationFrame(() => r()));
      }
    });
    // Let the last blocks arrive, then read the heap after a collection.
    await page.waitForSelector(`#rows .row[data-seq="${rows}"]`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("HeapProfiler.collectGarbage");
    await cdp.send("Performance.enable");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const heap = metrics.find((m) => m.name === "JSHeapUsedSize").value / 1e6;
    const longest = Math.max(0, ...(await page.evaluate(() => globalThis.longTasks)));
    results.web_rows = { rows, heap_mb: heap, longest_task_ms: longest };
    row(`web: page with ${k(rows)} rows, JS heap (MB)`, heap.toFixed(1), "≤ 150", heap <= 150);
    row("web: longest task while scrolling them (ms)", longest.toFixed(0), "≤ 50", longest <= 50);
  } finally {
    await page.close();
    await inspect.stop();
  }
}

const SECTIONS = {
  send: sendThroughput,
  whole: wholeProcess,
  listen: listenIngest,
  startup,
  memory: memoryFlat,
  replay: replayMemory,
  held: heldBodies,
  web: webInspector,
};

const unknown = only.filter((name) => !Object.hasOwn(SECTIONS, name));
if (unknown.length > 0) {
  console.error(
    `bench: unknown section ${unknown.join(", ")}; the sections are ${Object.keys(SECTIONS).join(", ")}`,
  );
  process.exit(2);
}
for (const [name, fn] of Object.entries(SECTIONS)) {
  if (only.length === 0 || only.includes(name)) await fn();
}

const width = Math.max(...rows.map((r) => r.name.length));
console.log(
  `\nticket-hooks benchmark — node ${process.version}, median of ${RUNS} run(s) (listen: ${LISTEN_RUNS}), ratios taken within each run\n`,
);
console.log(`${"figure".padEnd(width)}  ${"value".padStart(13)}  target    met`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(width)}  ${String(r.value).padStart(13)}  ${(r.target ?? "").padEnd(8)}  ${r.ok === undefined ? "" : r.ok ? "yes" : "NO"}`,
  );
}
mkdirSync(join(here, "results"), { recursive: true });
const file = join(here, "results", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ node: process.version, date: new Date().toISOString(), runs: RUNS, results, rows }, null, 2)}\n`,
);
console.log(`\nJSON: ${file}`);
