import { render } from "ink";
import { createElement } from "react";
import { systemClock, unixSeconds } from "../core/clock.js";
import { curlCommand } from "../core/delivery/curl.js";
import { usageError } from "../core/errors.js";
import { tryParseJson } from "../core/json.js";
import type { Exchange, ForwardResult } from "../core/receiving/exchange.js";
import type { Listener } from "../core/receiving/listen.js";
import type { ExchangeSource } from "../core/receiving/request-log.js";
import { DEFAULT_SIGNATURE_HEADER, maskSecret } from "../core/signing/signature.js";
import { editTextAsync } from "../io/editor.js";
import { osc52 } from "../terminal/clipboard.js";
import { ListenApp, type TargetWatch } from "./ListenApp.js";

export interface ListenUiInfo {
  url: string;
  secret: string | undefined;
  forwardTo: string | undefined;
  forwardSecret?: string | undefined;
  signatureHeader?: string;
  target?: TargetWatch;
}

/** Renders the live UI; resolves when the user quits. */
export function runListenUi(listener: Listener, info: ListenUiInfo): Promise<void> {
  return new Promise((resolve) => {
    const app = render(
      createElement(ListenApp, {
        log: listener.log,
        url: info.url,
        secret: info.secret ? maskSecret(info.secret) : undefined,
        forwardTo: info.forwardTo,
        onReplay: (ex) => listener.replay(ex),
        onEdit: async (ex) => {
          const parsed = tryParseJson(ex.request.body.toString("utf8"));
          const text = parsed.ok
            ? `${JSON.stringify(parsed.value, null, 2)}\n`
            : ex.request.body.toString("utf8");
          const edited = await editTextAsync(text, `event-${ex.seq}.json`, process.env);
          const check = tryParseJson(edited);
          if (!check.ok) {
            const { line, column, message } = check.error;
            throw usageError(
              "BAD_JSON",
              `the edited event is not JSON (line ${line}, column ${column}: ${message}); nothing was sent`,
            );
          }
          // The bytes as saved: what you typed is what the app gets (and what is signed).
          return listener.resend(ex, Buffer.from(edited, "utf8"));
        },
        // To the app when forwarding (signed for it), else back to this listener.
        curlFor: (ex) =>
          curlCommand({
            url: listener.forwardTargetFor(ex)?.url ?? info.url,
            headers: ex.request.headers,
            body: ex.request.body,
            signatureHeader: info.signatureHeader ?? DEFAULT_SIGNATURE_HEADER,
            signatureHeaderUsed: ex.verdict.signature.header,
            secret: listener.forwardTargetFor(ex)?.secret ?? info.secret,
            timestamp: unixSeconds(systemClock),
          }),
        onCopy: (text) => {
          if (process.stdout.isTTY && process.env.TERM !== "dumb")
            process.stdout.write(osc52(text));
        },
        ...(info.target ? { target: info.target } : {}),
        onQuit: () => resolve(),
      }),
      { exitOnCtrlC: false },
    );
    void app.waitUntilExit().then(() => resolve());
  });
}

export interface InspectUiInfo {
  file: string;
  /** Where `r` replays to (`--to`), signed with `secret`. */
  to: string | undefined;
  secret: string | undefined;
  signatureHeader?: string;
  onReplay: (exchange: Exchange) => Promise<ForwardResult>;
}

/** A recording in the live UI (`inspect`); resolves when the user quits. */
export function runInspectUi(source: ExchangeSource, info: InspectUiInfo): Promise<void> {
  return new Promise((resolve) => {
    const app = render(
      createElement(ListenApp, {
        log: source,
        url: info.file,
        title: "ticket-hooks inspect",
        secret: info.secret ? maskSecret(info.secret) : undefined,
        forwardTo: info.to,
        onReplay: info.onReplay,
        curlFor: (ex) =>
          curlCommand({
            url: info.to ?? "http://localhost:3000/",
            headers: ex.request.headers,
            body: ex.request.body,
            signatureHeader: info.signatureHeader ?? DEFAULT_SIGNATURE_HEADER,
            signatureHeaderUsed: ex.verdict.signature.header,
            secret: info.secret,
            timestamp: unixSeconds(systemClock),
          }),
        onCopy: (text) => {
          if (process.stdout.isTTY && process.env.TERM !== "dumb")
            process.stdout.write(osc52(text));
        },
        onQuit: () => resolve(),
      }),
      { exitOnCtrlC: false },
    );
    void app.waitUntilExit().then(() => resolve());
  });
}
