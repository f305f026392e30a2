import { afterEach, describe, expect, it } from "vitest";
import { runMain, startMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

let server: WebhookServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("in-process harness", () => {
  it("sends through main() and collects the output", async () => {
    server = await new WebhookServer().start();
    const r = await runMain(["send", "created", "--to", server.url, "--secret", "s"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ 200/);
    expect(server.requests).toHaveLength(1);
  });

  it("stops listen on a fake Ctrl-C", async () => {
    const run = startMain(["listen", "--port", "0", "--no-ui"]);
    const [, url] = await run.waitFor(/Ready: listening on (\S+)/);
    const r0 = await runMain(["send", "created", "--to", url as string]);
    expect(r0.code).toBe(0);
    run.signals.send("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Summary: received 1/);
  });
});
