import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

// Three projects: `unit` (the core and the UI, from the sources), `cli` (commands driven in-process
// through main(), plus the few that need a real process, which run the build) and `slow`
// (opt-in, `npm run test:slow`: wall-time and memory bounds, answers of hundreds of MB; what they
// measure depends on the machine, so the default run leaves them out). The cli and slow projects'
// global setup makes the build fresh first whenever src/ or payloads/ changed since it was built;
// the unit project's makes src/generated/ fresh when a schema changed.
//
// Speed (the suite's wall time is a figure we watch): vitest's default is one worker per core less
// one, i.e. ONE on a 2-core machine, while most cli tests wait on sockets and child processes, so
// at least two run at once. Neither project isolates its files (modules are loaded once per worker,
// not once per file): the code under test keeps no module-level state, and a test that changes
// something global (process.chdir, a vi.mock) puts it back. The unit project runs in threads
// (cheaper to start); the cli project in forks (readme.test.ts changes the working directory).
// A timeout is not an assertion: on a shared machine a spawned node takes seconds, so it is 20 s.
export default defineConfig({
  root,
  test: {
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          pool: "threads",
          isolate: false,
          globalSetup: ["test/helpers/fresh-generated.mjs"],
          include: ["test/core/**/*.test.{ts,tsx}", "test/ui/**/*.test.{ts,tsx}"],
        },
      },
      {
        extends: true,
        test: {
          name: "cli",
          pool: "forks",
          isolate: false,
          include: ["test/cli/**/*.test.ts"],
          globalSetup: ["test/helpers/fresh-build.mjs"],
        },
      },
      {
        extends: true,
        test: {
          // A real browser (Chromium), each file in a process of its own.
          name: "browser",
          pool: "forks",
          isolate: true,
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/helpers/fresh-build.mjs"],
        },
      },
      {
        extends: true,
        test: {
          name: "slow",
          pool: "forks",
          isolate: false,
          include: ["test/slow/**/*.test.{ts,tsx}"],
          globalSetup: ["test/helpers/fresh-build.mjs"],
          testTimeout: 120_000,
        },
      },
    ],
  },
});
