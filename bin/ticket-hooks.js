#!/usr/bin/env node
// Entry point: the only place that sets the process exit code. It loads the CLI bundled into a
// few files (dist/bundle, made by `npm run build`): start-up time is dominated by module loading.
const args = process.argv.slice(2);

// A reader that went away (`ticket-hooks … | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The long-running, high-volume commands run with a small young generation and a bounded heap:
// under sustained load V8 otherwise grows both for good, and memory creeps up for no gain. The
// flags can only be given at start-up, so these commands start node once more with them. listen
// keeps a 2 MB young generation (1 MB costs it a sixth of its throughput); replay streams
// recordings of any size and takes the smallest. replay sends with undici, whose HTTP parser is
// WebAssembly: optimising it costs a passing 25 MB at start-up, for no measurable speed here, so
// the baseline WebAssembly compiler alone is used.
const HEAP_FLAGS = {
  listen: ["--max-semi-space-size=2", "--max-old-space-size=256"],
  replay: ["--max-semi-space-size=1", "--max-old-space-size=256", "--liftoff-only"],
};
const userSetHeap = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) =>
  /--max-(semi|old)-space-size/.test(a),
);

if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  // Fast path: no module graph for the most frequent scripted call.
  const { readFileSync } = await import("node:fs");
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else if (Object.hasOwn(HEAP_FLAGS, args[0] ?? "") && !userSetHeap && !args.includes("--help")) {
  const { spawn } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...HEAP_FLAGS[args[0]], fileURLToPath(import.meta.url), ...args],
    // The IPC channel only tells the child when this process is gone (even by SIGKILL).
    { stdio: ["inherit", "inherit", "inherit", "ipc"] },
  );
  // Ctrl-C on a terminal reaches both processes; a signal sent to this process alone (a script,
  // a test, a supervisor) is passed on, as a message: the child can then tell it from the same
  // signal reaching it too (Ctrl-C to a process group), which is one stop, not two.
  const interactive = process.stdin.isTTY === true;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      if (signal === "SIGINT" && interactive) return;
      // A child already gone has nothing left to stop (the callback keeps that from being an
      // 'error' event).
      if (child.connected) child.send({ type: "signal", signal }, () => {});
    });
  }
  child.on("error", (error) => {
    process.stderr.write(`error: cannot start ${process.execPath}: ${error.message}\n`);
    process.exitCode = 70;
  });
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? (signal === "SIGINT" ? 130 : 1);
  });
} else {
  if (process.channel) {
    // Started by the wrapper above: stop as on SIGTERM if it goes away; never stay alive for it.
    process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
    // A signal it passes on: to the handlers, marked as coming from the launcher (see
    // src/cli/signals.ts); with no handler yet, it acts as the signal itself would.
    process.on("message", (message) => {
      if (message?.type !== "signal") return;
      if (process.listenerCount(message.signal) > 0)
        process.emit(message.signal, message.signal, "launcher");
      else process.kill(process.pid, message.signal);
    });
    process.channel.unref();
  }
  const { main } = await import("../dist/bundle/main.js");
  process.exitCode = await main(args);
}
