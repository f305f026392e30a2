import { describe, it } from "vitest";
import { exchange, setup } from "../ui/ui-harness.js";

// The `slow` project: the live UI's real timers (a status message expires after messageMs).

describe("ListenApp: real timers", () => {
  it("status messages expire", async () => {
    const { app, log, frame } = setup({ messageMs: 50 });
    log.add(exchange(1, "created", "Alpha"));
    await frame((t) => t.includes("Alpha"));
    app.stdin.write("r");
    await frame((t) => t.includes("start listen with --forward-to URL"));
    await frame((t) => !t.includes("start listen with --forward-to URL"));
    app.unmount();
  });
});
