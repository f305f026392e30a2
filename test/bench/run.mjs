// npm run bench — figures for ticket-hooks next to the tools users would pick instead.
// Whole process against whole process, same run, loopback; ratios are what hold on a noisy machine.
// Writes the same figures as JSON to test/bench/results/ (git-ignored).
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const BIN = join(root, "bin", "ticket-hooks.js");
const AUTOCANNON = join(root, "node_modules", "autocannon", "autocannon.js");
const SECRET = "bench-secret";
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20000);
const CONCURRENCY = 64;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
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
const autocannonArgs = (url, extra = []) => [
  AUTOCANNON,
  "-c",
  String(CONCURRENCY),
  "-a",
  String(REQUESTS),
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

const SECTIONS = { send: sendThroughput };

for (const [name, fn] of Object.entries(SECTIONS)) {
  if (only.length === 0 || only.includes(name)) await fn();
}

const width = Math.max(...rows.map((r) => r.name.length));
console.log(`\nticket-hooks benchmark — node ${process.version}, ${RUNS} run(s) each, median\n`);
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
