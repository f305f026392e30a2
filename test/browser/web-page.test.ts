// The web inspector's page in a real browser (Debian's Chromium, driven by playwright-core), with
// a real listener forwarding to a real app: rows appear as requests arrive; details; filters and
// search kept in the address (reload and back keep them); replay and edit-and-resend reach the
// app re-signed; diff; copy as curl; pins; all by keyboard. Hostile text stays text.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign, verify } from "../../src/core/signing/signature.js";
import { listen, type WebListener } from "../../src/index.js";
import { tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { startMain } from "../helpers/main.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";
import { eventBody } from "./events.js";

const SECRET = "whsec_web_page_0123456789";
const APP_SECRET = "whsec_app_side_9876543210";
const CHROMIUM = "/usr/bin/chromium";

let app: WebhookServer;
let listener: WebListener;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let sent = 0;

/** Sends an event to the listener, signed; resolves with its row number. */
async function sendEvent(fields: { type?: string; title?: string; id?: string | number } = {}) {
  const { body, eventId } = eventBody(++sent, fields);
  const answer = await post(listener.url, body, {
    "content-type": "application/json",
    "x-signature": sign(SECRET, body, Math.floor(Date.now() / 1000)),
  });
  expect(answer.status).toBe(200);
  return (await listener.waitFor((ex) => ex.verdict.eventId === eventId)).seq;
}

/** The app's nth request (from 1), verified with the app's secret. */
function appGot(n: number): { body: string; valid: boolean } {
  const req = app.requests[n - 1];
  if (!req) throw new Error(`the app has no request ${n}`);
  const header = String(req.headers["x-signature"]);
  return { body: req.body.toString("utf8"), valid: verify(APP_SECRET, req.body, header).ok };
}

const row = (seq: number) => page.locator(`#rows .row[data-seq="${seq}"]`);
const panel = () => page.locator("#panel");

describe("the web inspector in Chromium", () => {
  beforeAll(async () => {
    requireTool(CHROMIUM, ["--version"], "chromium");
    app = await new WebhookServer((_r, _i, res) => res.end('{"ok":true}')).start();
    listener = await listen({
      port: 0,
      secret: SECRET,
      forwardTo: app.url,
      forwardSecret: APP_SECRET,
      keep: 1000,
      web: { port: 0 },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: new URL(listener.web?.url as string).origin,
    });
    page = await context.newPage();
    // A step that does not happen fails at that step, well before the test times out.
    page.setDefaultTimeout(5000);
    await page.goto(listener.web?.url as string);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await listener?.close();
    await app?.stop();
  });

  it("the token leaves the address bar; rows appear as requests arrive", async () => {
    expect(page.url()).toBe(`http://127.0.0.1:${listener.web?.port}/`);
    await sendEvent({ title: "Printer on fire" });
    await row(1).getByText("Printer on fire").waitFor();
    await sendEvent({ type: "resolved", title: "Coffee machine" });
    await row(2).getByText("Coffee machine").waitFor();
    expect(await row(2).locator(".c-event").textContent()).toBe("resolved");
    expect(await row(1).locator(".c-sig").textContent()).toBe("✓ valid");
    expect(await row(1).locator(".c-app").textContent()).toBe("→ 200");
  });

  it("the keyboard selects and opens the details: verdicts, headers, the body as a tree and raw", async () => {
    await page.keyboard.press("k");
    await page.keyboard.press("Enter");
    await panel()
      .getByRole("heading", { name: /#1 POST/ })
      .waitFor();
    await panel().getByText("valid in x-signature", { exact: false }).waitFor();
    // The tree folds: the ticket's title is a leaf under data › ticket.
    await panel().locator(".json-tree").getByText('"Printer on fire"').waitFor();
    await panel().getByRole("tab", { name: "Raw" }).click();
    expect(await panel().locator("pre.raw").last().textContent()).toContain(
      '"title":"Printer on fire"',
    );
    // The app's answer and the route it went by.
    await panel().getByText(app.url).waitFor();
    // With the details open, j shows the next request's.
    await page.keyboard.press("j");
    await panel()
      .getByRole("heading", { name: /#2 POST/ })
      .waitFor();
    await page.keyboard.press("Escape");
    expect(await panel().isHidden()).toBe(true);
  });

  it("filters and search are kept in the address: reload and back keep them", async () => {
    await page.keyboard.press("/");
    await page.keyboard.type("coffee");
    await page.waitForURL(/\?q=coffee$/);
    await row(1).waitFor({ state: "detached" });
    expect(await page.locator("#rows .row").count()).toBe(1);
    await page.reload();
    await row(2).waitFor();
    expect(await page.locator("#search").inputValue()).toBe("coffee");
    expect(await page.locator("#rows .row").count()).toBe(1);
    // --where, by path.
    await page.locator("#search").fill("");
    await page.locator("#where").fill("data.ticket.title=Printer on fire");
    await page.locator("#where").press("Enter");
    await page.waitForURL(/where=data.ticket.title%3DPrinter/);
    await row(2).waitFor({ state: "detached" });
    await row(1).waitFor();
    // The status class and event type.
    await page.locator("#where").fill("");
    await page.locator("#where").press("Enter");
    await page.locator("#type").selectOption("whitelabel-ticket-resolved");
    await page.waitForURL(/type=whitelabel-ticket-resolved/);
    await row(1).waitFor({ state: "detached" });
    await page.goBack();
    await row(1).waitFor();
    expect(await page.locator("#type").inputValue()).toBe("");
    // Esc clears every filter.
    await page.locator("#where").blur();
    await page.keyboard.press("Escape");
    await page.waitForURL(`http://127.0.0.1:${listener.web?.port}/`);
    await row(2).waitFor();
  });

  it("r replays to the app, re-signed: the answer is a new row linked to the first", async () => {
    const before = app.requests.length;
    await page.keyboard.press("g");
    await page.keyboard.press("Enter");
    await panel()
      .getByRole("heading", { name: /#1 POST/ })
      .waitFor();
    await page.keyboard.press("r");
    await row(3).locator(".c-event").getByText("↻1 created").waitFor();
    await app.waitFor(before + 1);
    const got = appGot(before + 1);
    expect(got.valid).toBe(true);
    expect(got.body).toBe(appGot(1).body);
  });

  it("e edits and resends: checked as you type, errors by path; the app gets the edit, signed", async () => {
    await page.keyboard.press("e");
    const editor = panel().locator("textarea");
    await editor.waitFor();
    const text = await editor.inputValue();
    await editor.fill(text.replace('"Printer on fire"', "42"));
    await panel().getByText("data.ticket.title", { exact: false }).waitFor();
    await editor.fill(text.replace("{", "{,"));
    await panel()
      .getByText(/not JSON at line 1, column 2/)
      .waitFor();
    expect(await panel().getByRole("button", { name: /Send/ }).isDisabled()).toBe(true);
    await editor.fill(text.replace('"Printer on fire"', '"Printer fixed"'));
    await panel()
      .getByText(/✓ a valid whitelabel-ticket-created/)
      .waitFor();
    const before = app.requests.length;
    await editor.press("Control+Enter");
    await row(4).locator(".c-event").getByText("✎1 created").waitFor();
    await app.waitFor(before + 1);
    const got = appGot(before + 1);
    expect(got.valid).toBe(true);
    expect(got.body).toBe(text.replace('"Printer on fire"', '"Printer fixed"'));
    expect(JSON.parse(got.body).data.ticket.title).toBe("Printer fixed");
  });

  it("m and d diff two requests by JSON path", async () => {
    await page.keyboard.press("Escape");
    await page.keyboard.press("g");
    await page.keyboard.press("m");
    await page.getByText("#1 marked").waitFor();
    await page.keyboard.press("j");
    await page.keyboard.press("d");
    const diff = panel().locator("article.diffing");
    await diff.waitFor();
    const paths = await diff.locator("tbody th code").allTextContents();
    expect(paths).toContain("event_type");
    expect(paths).toContain("data.ticket.title");
    expect(await diff.locator("tr.differs").count()).toBeGreaterThan(0);
  });

  it("c copies the request as curl, p pins it (and a reload keeps the pin)", async () => {
    await page.keyboard.press("Escape");
    await page.keyboard.press("g");
    await page.keyboard.press("c");
    await page.getByText("curl command copied").waitFor();
    const copied = (await page.evaluate("navigator.clipboard.readText()")) as string;
    expect(copied).toContain("curl ");
    expect(copied).toContain(app.url);
    await page.keyboard.press("Escape");
    await page.keyboard.press("p");
    await page.waitForURL(/pins=1/);
    await page.reload();
    await page.locator("#pins").getByRole("button", { name: "#1" }).click();
    await panel()
      .getByRole("heading", { name: /#1 POST/ })
      .waitFor();
    await page.keyboard.press("Escape");
  });

  it("hostile text is text: no script runs, nothing is made of it, the layout holds", async () => {
    const hostile = [
      `<img src=x onerror="window.pwned=1"><b>bold</b>`,
      `</script><script>window.pwned=2</script>`,
      "javascript:window.pwned=3",
      "\u202Eevil\u2066 mirrored",
      "x".repeat(1_000_000),
    ];
    const seqs: number[] = [];
    for (const title of hostile) seqs.push(await sendEvent({ title }));
    // A body that is not UTF-8 (nor JSON, nor signed): turned away, and shown byte by byte.
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0xc3, 0x28, 0x7d]);
    const answer = await post(listener.url, bad, { "content-type": "application/json" });
    expect(answer.status).toBe(401);
    const last = (await listener.waitFor((ex) => ex.request.body.equals(bad))).seq;
    await row(last).waitFor();
    for (const seq of [...seqs, last]) {
      await row(seq).click();
      await panel()
        .getByRole("heading", { name: new RegExp(`#${seq} POST`) })
        .waitFor();
      expect(
        await page.locator("#rows img, #rows b, #rows script, #panel img, #panel b").count(),
      ).toBe(0);
      // One line each, and nothing wider than the window.
      // The list redraws its rows as batches come: measured once the row is drawn.
      await expect.poll(async () => (await row(seq).boundingBox())?.height).toBe(28);
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(1280);
    }
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    // The bidi override is shown, not obeyed; the bytes that are not UTF-8 are shown as \xNN.
    expect(await row(seqs[3] as number).textContent()).toContain("\\u202e");
    await row(last).click();
    await panel().getByText("\\xff\\xfe", { exact: false }).waitFor();
    // The reason it was turned away is said once, in the signature's row.
    expect(await panel().locator("table.kv th", { hasText: /^why$/ }).count()).toBe(0);
  });

  it("screenshots at 1280×800 and 390×844", async () => {
    const dir = process.env.UPDATE_SCREENSHOTS
      ? join(import.meta.dirname, "screenshots")
      : tempDir().dir;
    mkdirSync(dir, { recursive: true });
    await row(1).click();
    await panel()
      .getByRole("heading", { name: /#1 POST/ })
      .waitFor();
    const wide = await page.screenshot({ path: join(dir, "web-1280.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    // On a phone the details cover the list; a button (or Back) closes them.
    await panel().getByRole("button", { name: "close" }).click();
    await row(1).waitFor();
    expect(await panel().isHidden()).toBe(true);
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    const narrow = await page.screenshot({ path: join(dir, "web-390.png") });
    expect(wide.readUInt32BE(16)).toBe(1280);
    expect(narrow.readUInt32BE(16)).toBe(390);
  });
});

describe("inspect --web in Chromium: a recording of 20,000 requests", () => {
  let inspectBrowser: Browser;
  let tab: Page;
  let main: ReturnType<typeof startMain>;
  const dir = tempDir();

  beforeAll(async () => {
    requireTool(CHROMIUM, ["--version"], "chromium");
    // One recorded request, then its line 20,000 times (a recording is lines; each is a row).
    const file = join(dir.dir, "events.ndjson");
    const recorder = await listen({ port: 0, record: file });
    await post(recorder.url, eventBody(1, { title: "Recorded" }).body, {
      "content-type": "application/json",
    });
    await recorder.close();
    const line = readFileSync(file, "utf8");
    writeFileSync(file, line.repeat(20_000));
    main = startMain(["inspect", file, "--web", "--web-port", "0"]);
    const [, url] = (await main.waitFor(/Web inspector: (\S+)/, "stderr")) as string[];
    inspectBrowser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    tab = await inspectBrowser.newPage({ viewport: { width: 1280, height: 800 } });
    tab.setDefaultTimeout(10_000);
    await tab.goto(url as string);
  }, 60_000);
  afterAll(async () => {
    await inspectBrowser?.close();
    main?.signals.send("SIGINT");
    await main?.done;
    dir.cleanup();
  });

  it("shows the last rows at once and keeps only a screenful in the page", async () => {
    await tab.locator("#count").getByText("20,000 shown").waitFor();
    await tab.locator('#rows .row[data-seq="20000"]').waitFor();
    expect(await tab.locator("#rows .row").count()).toBeLessThan(80);
    await tab.keyboard.press("g");
    await tab.locator('#rows .row[data-seq="1"]').waitFor();
    expect(await tab.locator("#rows .row").count()).toBeLessThan(80);
  });

  it("a search runs on the server and the list follows it", async () => {
    await tab.keyboard.press("/");
    await tab.keyboard.type("#19999");
    await tab.locator("#count").getByText("1 shown").waitFor();
    await tab.locator('#rows .row[data-seq="19999"]').waitFor();
    expect(await tab.locator("#rows .row").count()).toBe(1);
  });
});
