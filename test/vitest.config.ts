import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

// Two projects: `unit` (the core and the UI, from the sources, no build) and `cli` (commands driven
// in-process through main(), plus the few that need a real process; those run the build, which the
// global setup makes fresh first whenever src/ or payloads/ changed since it was built).
export default defineConfig({
  root,
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/core/**/*.test.{ts,tsx}", "test/ui/**/*.test.{ts,tsx}"],
        },
      },
      {
        extends: true,
        test: {
          name: "cli",
          // Real processes and sockets: slower than the core's tests on a loaded machine.
          testTimeout: 20_000,
          include: ["test/cli/**/*.test.ts"],
          globalSetup: ["test/helpers/fresh-build.ts"],
        },
      },
    ],
  },
});
