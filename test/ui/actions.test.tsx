import { describe, expect, it } from "vitest";
import { receive } from "../../src/core/receiving/receive.js";
import { answer, exchange, KEYS, setup } from "./ui-harness.js";

describe("ListenApp: replay, copy, messages, quit", () => {
  it("r without a forward target says how to get one", async () => {
    const { app, log, frame, replays } = setup();
    log.add(exchange(1, "created", "Alpha"));
    await frame((t) => t.includes("Alpha"));
    app.stdin.write("r");
    await frame((t) => t.includes("start listen with --forward-to URL"));
    expect(replays).toEqual([]);
    app.unmount();
  });

  it("r replays to the app and shows its answer, in the status line and the details", async () => {
    const { app, log, frame, replays } = setup({
      forwardTo: "http://127.0.0.1:3000/",
      replayWith: answer(500, "TypeError: boom"),
    });
    log.add(exchange(7, "created", "Alpha"));
    await frame((t) => t.includes("Alpha"));
    app.stdin.write("r");
    await frame((t) => t.includes("replayed #7: app answered 500 in 3ms: TypeError: boom"));
    expect(replays).toEqual([7]);
    app.stdin.write(KEYS.enter);
    const details = await frame((t) => t.includes("Replay: app answered: 500 in 3 ms"));
    expect(details).toContain("TypeError: boom");
    app.unmount();
  });

  it("r refuses a request the listener rejected until a second r confirms", async () => {
    const { app, log, frame, replays } = setup({ forwardTo: "http://127.0.0.1:3000/" });
    const rejected = exchange(3, "created", "Unsigned", 401);
    rejected.verdict = receive(rejected.request, { secret: "s" });
    log.add(rejected);
    await frame((t) => t.includes("missing signature"));
    app.stdin.write("r");
    // The instruction first: a long reason is cut at the terminal's width, not the instruction.
    await frame((t) =>
      t.includes(
        "press r again to send #3 to the app anyway: the listener rejected it (401: missing",
      ),
    );
    expect(replays).toEqual([]);
    // Another key in between cancels the confirmation.
    app.stdin.write(KEYS.down);
    app.stdin.write("r");
    await frame((t) => t.includes("press r again"));
    expect(replays).toEqual([]);
    app.stdin.write("r");
    await frame((t) => t.includes("replayed #3: app answered 204"));
    expect(replays).toEqual([3]);
    app.unmount();
  });

  it("c prints the curl command above the list as one line, and copies it", async () => {
    const long = `curl -sS -X POST 'http://127.0.0.1:3000/' --data-binary '${"x".repeat(300)}'`;
    const { app, log, frame, copied, written } = setup({ columns: 80, curlFor: () => long });
    log.add(exchange(4, "created", "Alpha"));
    await frame((t) => t.includes("Alpha"));
    app.stdin.write("c");
    const shown = await frame((t) => t.includes("curl command for #4 signed now: printed above"));
    // Not in the live area (which Ink wraps at its width, breaking the command when copied)…
    expect(shown).not.toContain("xxxxxxxxxx");
    // …but written above it, whole, for the terminal to wrap.
    expect(written.some((w) => w.includes(`${long}\n`))).toBe(true);
    expect(copied).toEqual([long]);
    // The layout is the same as before: the header is still there.
    expect(shown).toContain("╭");
    app.unmount();
  });

  it("c without a secret says the command carries the recorded signature", async () => {
    const { app, log, frame } = setup({
      curlSigned: () => false,
      curlNote: "a placeholder URL",
      columns: 160,
    });
    log.add(exchange(4, "created", "Alpha"));
    await frame((t) => t.includes("Alpha"));
    app.stdin.write("c");
    await frame((t) => t.includes("unsigned (no secret to sign it)"));
    await frame((t) => t.includes("copied where the terminal allows (a placeholder URL)"));
    // A request that came signed keeps its recorded signature: said so.
    const signed = exchange(5, "created", "Beta");
    signed.request.headers = { ...signed.request.headers, "x-signature": "t=1,s=ab" };
    signed.verdict = {
      ...signed.verdict,
      signature: { status: "skipped", header: "X-Signature", reason: null },
    };
    log.add(signed);
    await frame((t) => t.includes("Beta"));
    app.stdin.write("c");
    await frame((t) => t.includes("with its recorded signature (no secret to sign it afresh)"));
    app.unmount();
  });

  it("e saved unchanged sends the original bytes: said as such, and the row is a replay (↻)", async () => {
    const harness = setup({
      forwardTo: "http://127.0.0.1:3000/",
      onEdit: async (ex) => {
        const sent = { ...exchange(9, "created", "Original"), editedFrom: ex.seq, replayed: true };
        harness.log.add(sent);
        return sent;
      },
    });
    const { app, log, frame } = harness;
    log.add(exchange(5, "created", "Original"));
    await frame((t) => t.includes("Original"));
    app.stdin.write("e");
    await frame((t) => t.includes("sent #5 unchanged as #9: app answered 200"));
    await frame((t) => /↻5 /.test(t));
    app.unmount();
  });

  it("e hands the event to the editor, then selects the new row linked to the original", async () => {
    const edits: number[] = [];
    const harness = setup({
      forwardTo: "http://127.0.0.1:3000/",
      onEdit: async (ex) => {
        edits.push(ex.seq);
        const sent = { ...exchange(9, "created", "Edited title"), editedFrom: ex.seq };
        harness.log.add(sent);
        return sent;
      },
    });
    const { app, log, frame } = harness;
    log.add(exchange(5, "created", "Original"));
    log.add(exchange(6, "created", "Other"));
    await frame((t) => t.includes("Other"));
    app.stdin.write(`${KEYS.up}e`);
    await frame((t) => t.includes("sent edited #5 as #9: app answered 200"));
    expect(edits).toEqual([5]);
    const row = await frame((t) => /› .*✎5 .*Edited title/.test(t));
    expect(row).toContain("3/3");
    app.stdin.write(KEYS.enter);
    await frame((t) => t.includes("#9 (edited from #5) POST /"));
    app.unmount();
  });

  it("e says when the edited event does not match its schema", async () => {
    const harness = setup({
      forwardTo: "http://127.0.0.1:3000/",
      onEdit: async (ex) => {
        const sent = {
          ...exchange(9, "created", "x", 200, (e) => {
            (e.data as { ticket: { title: unknown } }).ticket.title = 42;
          }),
          editedFrom: ex.seq,
        };
        harness.log.add(sent);
        return sent;
      },
    });
    harness.log.add(exchange(5, "created", "Original"));
    await harness.frame((t) => t.includes("Original"));
    harness.app.stdin.write("e");
    await harness.frame((t) =>
      /sent edited #5 as #9: app answered 200; it does not match its schema: data\.ticket\.title/.test(
        t,
      ),
    );
    harness.app.unmount();
  });

  it("e reports an editor failure and sends nothing", async () => {
    const { app, log, frame } = setup({
      forwardTo: "http://127.0.0.1:3000/",
      onEdit: async () => {
        throw new Error("the edited event is not JSON (line 1, column 2: oops); nothing was sent");
      },
    });
    log.add(exchange(5, "created", "Original"));
    await frame((t) => t.includes("Original"));
    app.stdin.write("e");
    await frame((t) => t.includes("nothing was sent") && t.includes("Original"));
    app.unmount();
  });

  it("x and h write the selected request as a JSON template and a HAR, and say where", async () => {
    const asked: string[] = [];
    const { app, log, frame } = setup({
      onExport: async (ex, format) => {
        asked.push(`${ex.seq}:${format}`);
        if (format === "har") throw new Error("cannot write #4 to /nope: no such folder");
        return `/tmp/out/created-${ex.seq}.json`;
      },
    });
    log.add(exchange(4, "created", "Alpha"));
    log.add(exchange(5, "created", "Beta"));
    await frame((t) => t.includes("Beta"));
    app.stdin.write(`${KEYS.up}x`);
    await frame((t) => t.includes("#4 written to /tmp/out/created-4.json"));
    app.stdin.write("h");
    await frame((t) => t.includes("cannot write #4 to /nope"));
    expect(asked).toEqual(["4:json", "4:har"]);
    app.unmount();
  });

  it("x on an empty list does nothing", async () => {
    const asked: number[] = [];
    const { app, frame } = setup({
      onExport: async (ex) => {
        asked.push(ex.seq);
        return "f";
      },
    });
    await frame((t) => t.includes("Waiting"));
    app.stdin.write("xh/");
    // The keys after x and h were handled (the search opened): x and h did nothing.
    await frame((t) => t.includes("Enter: keep"));
    expect(asked).toEqual([]);
    app.unmount();
  });

  it("q quits, and so does Ctrl-C", async () => {
    const first = setup();
    await first.frame((t) => t.includes("Waiting"));
    first.app.stdin.write("q");
    await expect(first.quit).resolves.toBeUndefined();
    const second = setup();
    await second.frame((t) => t.includes("Waiting"));
    second.app.stdin.write("\u0003");
    await expect(second.quit).resolves.toBeUndefined();
  });

  it("q typed into the search is text, not quit", async () => {
    const { app, log, frame, hasQuit } = setup();
    log.add(exchange(1, "created", "quiet"));
    await frame((t) => t.includes("quiet"));
    app.stdin.write("/q");
    await frame((t) => t.includes('search "q"'));
    // Escape ends the search: a frame after it, and the app has still not been asked to quit.
    app.stdin.write(KEYS.escape);
    await frame((t) => !t.includes('search "q"') && t.includes("quiet"));
    expect(hasQuit()).toBe(false);
    app.unmount();
  });
});
