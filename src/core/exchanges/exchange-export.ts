import { isUtf8 } from "node:buffer";
import { usageError } from "../errors.js";
import { escapeTemplateText } from "../events/placeholders.js";
import { tryParseJson } from "../json.js";
import { escapeStringToken, MAX_LAYOUT_DEPTH, reindentJson, TooDeep } from "../json-indent.js";
import { findSignature } from "../receiving/receive.js";
import { VERSION } from "../version.js";
import type { Exchange } from "./exchange.js";
import { exportBaseName } from "./export-names.js";
import { harEntry, harLog } from "./har.js";

/*
 * One captured request written out as a file: the event as a JSON template (what `export` writes
 * for each event), or the request as a HAR 1.2 log. Used by the live UI's `x` and `h` keys.
 */

export type TemplateText = { ok: true; text: string } | { ok: false; reason: string };

/**
 * A captured body as a template file's text: re-indented token by token (no value changes: big
 * numbers, `1.0`, key order and duplicate keys stay), and captured `{{` written as the `{{{{`
 * escape so it stays data.
 */
export function templateText(body: Buffer): TemplateText {
  const text = body.toString("utf8");
  if (!isUtf8(body) || !tryParseJson(text).ok) return { ok: false, reason: "the body is not JSON" };
  try {
    const pretty = reindentJson(text, {
      maxDepth: MAX_LAYOUT_DEPTH,
      mapString: (raw) => escapeStringToken(raw, escapeTemplateText),
    });
    return { ok: true, text: `${pretty}\n` };
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    return { ok: false, reason: `the body is nested deeper than ${MAX_LAYOUT_DEPTH} levels` };
  }
}

/** The file name (without extension) an exchange is exported under. */
export function exchangeBaseName(ex: Exchange): string {
  return exportBaseName(ex.verdict.eventType ?? "event", ex.verdict.eventId ?? `row-${ex.seq}`);
}

export interface ExchangeFile {
  /** File name without extension, and the extension (`.json`, `.har`). */
  base: string;
  ext: string;
  text: string;
}

export interface HarTarget {
  /** Where the request is to be sent. */
  url: string;
  secret: string | undefined;
  signatureHeader: string;
  /** Unix seconds for a fresh signature. */
  timestamp: number;
}

/** An exchange as the file `x` (JSON template) or `h` (HAR) writes. */
export function exchangeFile(ex: Exchange, format: "json" | "har", har: HarTarget): ExchangeFile {
  const base = exchangeBaseName(ex);
  if (format === "json") {
    const t = templateText(ex.request.body);
    if (!t.ok) throw usageError("CANNOT_EXPORT", `#${ex.seq} cannot be exported: ${t.reason}`);
    return { base, ext: ".json", text: t.text };
  }
  return { base, ext: ".har", text: exchangesHar([ex], () => har) };
}

/** Exchanges as one HAR log, each request pointed and signed as `target` says. */
export function exchangesHar(
  exchanges: readonly Exchange[],
  target: (ex: Exchange) => HarTarget,
): string {
  return harLog(
    exchanges.map((ex) => exchangeHarEntry(ex, target(ex))),
    CREATOR,
  );
}

const CREATOR = { name: "ticket-hooks", version: VERSION };

function exchangeHarEntry(ex: Exchange, har: HarTarget) {
  const found = findSignature(
    ex.request.headers,
    har.signatureHeader,
    har.signatureHeader.toLowerCase(),
  );
  return harEntry(
    {
      where: `#${ex.seq}`,
      receivedAt: ex.receivedAt.getTime(),
      body: ex.request.body,
      eventType: ex.verdict.eventType,
      eventId: ex.verdict.eventId,
      signature: found?.value,
    },
    { ...har, creator: CREATOR },
  );
}
