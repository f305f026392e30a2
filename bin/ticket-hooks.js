#!/usr/bin/env node
// Entry point: the only place that sets the process exit code. It loads the CLI bundled into a
// few files (dist/bundle, made by `npm run build`): start-up time is dominated by module loading.
const args = process.argv.slice(2);

// A reader that went away (`ticket-hooks … | head`) is not an error worth a stack trace. A
// command that handles its stream's errors itself (listen: its reader going away stops the
// output, not the listener) has its own listener, and keeps running.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (stream.listenerCount("error") > 1) return;
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  // Fast path: no module graph for the most frequent scripted call.
  const { readFileSync } = await import("node:fs");
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { main } = await import("../dist/bundle/main.js");
  process.exitCode = await main(args);
}
