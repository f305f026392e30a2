// The web inspector's page in a real browser (Debian's Chromium, driven by playwright-core): rows
// appear as requests arrive, open by click or keyboard, and hostile text stays text.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign } from "../../src/core/signing/signature.js";
import { type Listener, listen } from "../../src/index.js";
import { type Inspector, startInspector } from "../../src/web/server.js";
import { PAYLOADS } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { requireTool } from "../helpers/tools.js";

const SECRET = "whsec_web_page_0123456789";
const CHROMIUM = "/usr/bin/chromium";
const template = JSON.parse(
  readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json"), "utf8"),
) as { event_id: string; data: { ticket: { title: string } } };

let listener: Listener;
let inspector: Inspector;
let browser: Browser;
let page: Page;

async function sendTitled(n: number, title: string): Promise<void> {
  const event = structuredClone(template);
  event.event_id = `whev_web${String(n).padStart(14, "0")}`;
  event.data.ticket.title = title;
  const body = JSON.stringify(event);
  const answer = await post(listener.url, body, {
    "content-type": "application/json",
    "x-signature": sign(SECRET, body, Math.floor(Date.now() / 1000)),
  });
  expect(answer.status).toBe(200);
}

describe("the web inspector in Chromium", () => {
  beforeAll(async () => {
    requireTool(CHROMIUM, ["--version"], "chromium");
    listener = await listen({ port: 0, secret: SECRET });
    inspector = await startInspector(listener.log, { port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage();
    await page.goto(inspector.url);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await inspector?.close();
    await listener?.close();
  });

  it("the token leaves the address bar; rows appear as requests arrive", async () => {
    expect(page.url()).toBe(`http://127.0.0.1:${inspector.port}/`);
    await sendTitled(1, "Printer on fire");
    await page.getByText("Printer on fire").waitFor();
    await sendTitled(2, "Coffee machine");
    await page.getByText("Coffee machine").waitFor();
    expect(await page.locator("#rows tr").count()).toBe(2);
  });

  it("a click opens the details; the keyboard moves and opens too", async () => {
    await page.getByText("Printer on fire").click();
    await page.locator("#details").getByText('"Printer on fire"').waitFor();
    await page.keyboard.press("j");
    await page.keyboard.press("Enter");
    await page.locator("#details").getByText('"Coffee machine"').waitFor();
    await page.keyboard.press("Escape");
    expect(await page.locator("#details").isHidden()).toBe(true);
  });

  it("/ searches; the search is kept in the address, so a reload keeps it", async () => {
    await page.keyboard.press("/");
    await page.keyboard.type("coffee");
    await page.waitForURL(/\?q=coffee$/);
    expect(await page.locator("#rows tr:visible").count()).toBe(1);
    await page.reload();
    await page.getByText("Coffee machine").waitFor();
    expect(await page.locator("#search").inputValue()).toBe("coffee");
    expect(await page.locator("#rows tr:visible").count()).toBe(1);
    await page.locator("#search").press("Escape");
    expect(await page.locator("#rows tr:visible").count()).toBe(2);
    expect(page.url()).toBe(`http://127.0.0.1:${inspector.port}/`);
  });

  it("hostile text is shown as text: no element made, no script run", async () => {
    const hostile = `<img src=x onerror="window.pwned=1"></script><b>bold</b>\u202Eevil`;
    await sendTitled(3, hostile);
    await page.getByText("<img src=x", { exact: false }).first().waitFor();
    expect(await page.locator("#rows img, #rows b").count()).toBe(0);
    await page.locator("#rows tr").last().click();
    await page.locator("#details pre").last().waitFor();
    expect(await page.locator("#details img, #details b").count()).toBe(0);
    expect(
      await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned),
    ).toBeUndefined();
    // The bidi override is shown, not obeyed.
    expect(await page.locator("#rows").textContent()).toContain("\\u202e");
  });
});
