import { join } from "node:path";
import { PACKAGE_ROOT } from "../core/version.js";

// The example receivers shipped in payloads/receivers/ (the README shows them, a test runs each
// against `check`): what `init --receiver KIND` writes into a project, and how to run it.

export interface ReceiverExample {
  kind: string;
  /** The file in payloads/receivers/. */
  source: string;
  /** The name it gets in the user's project. */
  file: string;
  /** What to install first, if anything. */
  install: string | null;
  /** How to start it, `FILE` standing for the file's path (the secret from WEBHOOK_SECRET). */
  run: string;
  /** The folder it goes to when none is given (Go: its own, beside any main.go of a module). */
  dir?: string;
}

export const RECEIVERS_DIR = join(PACKAGE_ROOT, "payloads", "receivers");

export const RECEIVER_EXAMPLES: readonly ReceiverExample[] = [
  {
    kind: "node",
    source: "node-http.mjs",
    file: "webhook-receiver.mjs",
    install: null,
    run: "node FILE",
  },
  {
    kind: "express",
    source: "express.mjs",
    file: "webhook-receiver.mjs",
    install: "npm install express",
    run: "node FILE",
  },
  {
    kind: "hono",
    source: "hono.mjs",
    file: "webhook-receiver.mjs",
    install: "npm install hono @hono/node-server",
    run: "node FILE",
  },
  {
    kind: "python",
    source: "python.py",
    file: "webhook_receiver.py",
    install: null,
    run: "python3 FILE",
  },
  {
    kind: "go",
    source: "go.go",
    file: "webhook_receiver.go",
    install: null,
    run: "go run FILE",
    dir: "webhook-receiver",
  },
  {
    kind: "php",
    source: "php.php",
    file: "webhook-receiver.php",
    install: null,
    run: "php -S 127.0.0.1:3000 FILE",
  },
];

export const RECEIVER_KINDS = RECEIVER_EXAMPLES.map((r) => r.kind);
