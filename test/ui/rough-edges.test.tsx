// The live UI's rough edges from a new user's first hour: widths shared by priority, a footer
// and header that fit, `?` for every key, Esc clearing every filter, and replays that show.
import { describe, expect, it } from "vitest";
import { receive } from "../../src/core/receiving/receive.js";
import { answer, exchange, KEYS, rowWith, setup } from "./ui-harness.js";

const REASON =
  "invalid signature: no matching signature: the body was changed or signed with another secret";

function rejected(seq: number) {
  const ex = exchange(seq, "created", "Forged");
  const verdict = receive(ex.request, { secret: "whsec_other_secret_value" }, 1);
  return { ...ex, verdict: { ...verdict, error: REASON }, status: 401 };
}

describe("the live UI at any width", () => {
  it("a rejection's reason takes the spare width of a wide terminal", async () => {
    const { app, log, frame } = setup({ columns: 200 });
    log.add(rejected(1));
    const shown = await frame((t) => t.includes("Forged") || t.includes("invalid signature"));
    // Not the 27 columns the event column had: a row without a title takes the title's too.
    expect(rowWith(shown, "invalid signature")).toContain("signed with another secret");
    app.unmount();
    const narrow = setup({ columns: 60 });
    narrow.log.add(rejected(1));
    const cut = await narrow.frame((t) => t.includes("invalid signature"));
    expect(rowWith(cut, "invalid signature")).toMatch(/invalid signature: no matching signatu/);
    narrow.app.unmount();
  });

  it("the footer keeps q quit and ? keys at 120 and 60 columns; the header keeps its counters", async () => {
    for (const columns of [120, 60]) {
      const { app, log, frame } = setup({ columns });
      log.add(exchange(1, "created", "Hello"));
      const shown = await frame((t) => t.includes("1/1"));
      const footer = shown.split("\n").find((l) => l.includes("1/1")) ?? "";
      expect(footer, `${columns}`).toContain("q quit");
      expect(footer).toContain("? keys");
      expect(shown).toMatch(columns <= 60 ? /recv 1 · ok 1/ : /received 1 · valid 1/);
      app.unmount();
    }
  });

  it("? shows every key; any key closes the list without doing anything else", async () => {
    const { app, log, frame, hasQuit } = setup();
    log.add(exchange(1, "created", "Hello"));
    await frame((t) => t.includes("Hello"));
    app.stdin.write("?");
    const keys = await frame((t) => t.includes("Keys (any key closes this)"));
    expect(keys).toContain("next verdict");
    expect(keys).toContain("clear the search, the type and the verdict");
    app.stdin.write("q");
    await frame((t) => t.includes("Hello"));
    expect(hasQuit()).toBe(false);
    app.unmount();
  });
});

describe("filters", () => {
  it("Esc clears the search, the type and the verdict; the empty message names them", async () => {
    const { app, log, frame } = setup();
    log.add(exchange(1, "created", "Hello"));
    await frame((t) => t.includes("Hello"));
    app.stdin.write("f");
    app.stdin.write("f");
    app.stdin.write("v");
    const none = await frame((t) => t.includes("No request matches"));
    expect(none).toMatch(/No request matches type whitelabel-ticket-updated · verdict invalid/);
    expect(none).toContain("Esc clears them all");
    app.stdin.write(KEYS.escape);
    await frame((t) => t.includes("Hello") && t.includes("1/1"));
    app.stdin.write("v");
    await frame((t) => t.includes("No request matches verdict invalid"));
    app.stdin.write("V");
    await frame((t) => t.includes("Hello"));
    app.unmount();
  });

  it("a row replayed to a 2xx shows the answer and leaves the forward-failed filter", async () => {
    const { app, log, frame, replays } = setup({
      forwardTo: "http://127.0.0.1:3000/",
      replayWith: answer(200),
    });
    log.add({ ...exchange(1, "created", "Was down"), forward: answer(null), status: 502 });
    await frame((t) => t.includes("Was down"));
    for (const key of ["v", "v", "v"]) app.stdin.write(key);
    await frame((t) => t.includes("forward failed") && t.includes("Was down"));
    app.stdin.write("r");
    const after = await frame((t) => t.includes("No request matches verdict forward failed"));
    expect(replays).toEqual([1]);
    expect(after).toContain("Esc clears it");
    app.stdin.write("V");
    const row = rowWith(await frame((t) => t.includes("Was down")), "Was down");
    expect(row).toMatch(/502 ↻ 200\s*$/);
    app.unmount();
  });
});

describe("the details at 60 columns", () => {
  it("wrap a verdict's reason instead of cutting it", async () => {
    const { app, log, frame } = setup({ columns: 60 });
    log.add(rejected(1));
    await frame((t) => t.includes("invalid signature"));
    app.stdin.write(KEYS.enter);
    const details = await frame((t) => t.includes("Signature"));
    expect(details.replace(/\s+/g, " ")).toContain("signed with another secret");
    app.unmount();
  });
});
