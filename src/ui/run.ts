import { render } from "ink";
import { createElement } from "react";
import { systemClock, unixSeconds } from "../core/clock.js";
import { describeFsError, usageError } from "../core/errors.js";
import { curlCommand } from "../core/exchanges/curl.js";
import type { Exchange, ForwardResult } from "../core/exchanges/exchange.js";
import { exchangeFile, type HarTarget } from "../core/exchanges/exchange-export.js";
import type { ExchangeSource } from "../core/exchanges/request-log.js";
import type { Listener } from "../core/listener/listen.js";
import { DEFAULT_SIGNATURE_HEADER, maskSecret } from "../core/signing/signature.js";
import { editedBody } from "./edited-body.js";
import { ListenApp, type TargetWatch } from "./ListenApp.js";
import type { ExportFormat } from "./view-state.js";

/** What the live UI needs from outside, passed in by the CLI. */
export interface UiPorts {
  /** Opens text in the user's editor (`e`); resolves with what was saved. */
  edit(text: string, name: string): Promise<string>;
  /** Writes a new file in `dir`, never over an existing one (`x`, `h`); returns its path. */
  writeNewFile(dir: string, base: string, ext: string, text: string): string;
  /** Puts text on the clipboard, where the terminal is one (`c`). */
  copy(text: string): void;
  /** Where `x` and `h` write when no folder was given. */
  cwd: string;
}

export interface ListenUiInfo {
  url: string;
  secret: string | undefined;
  forwardTo: string | undefined;
  forwardSecret?: string | undefined;
  signatureHeader?: string;
  target?: TargetWatch;
  /** Where `x` and `h` write (default: the working directory). */
  exportDir?: string;
}

/** `x` and `h`: the exchange written as a new file in `dir` (never over an existing one). */
function exporter(dir: string, target: (ex: Exchange) => HarTarget, ports: UiPorts) {
  return async (ex: Exchange, format: ExportFormat): Promise<string> => {
    const file = exchangeFile(ex, format, target(ex));
    try {
      return ports.writeNewFile(dir, file.base, file.ext, file.text);
    } catch (error) {
      throw usageError(
        "WRITE_FAILED",
        `cannot write #${ex.seq} to ${dir}: ${describeFsError(error as NodeJS.ErrnoException)}`,
      );
    }
  };
}

/** Renders the live UI; resolves when the user quits. */
export function runListenUi(listener: Listener, info: ListenUiInfo, ports: UiPorts): Promise<void> {
  return new Promise((resolve) => {
    const app = render(
      createElement(ListenApp, {
        log: listener.log,
        url: info.url,
        secret: info.secret ? maskSecret(info.secret) : undefined,
        forwardTo: info.forwardTo,
        onReplay: (ex) => listener.replay(ex),
        onEdit: async (ex) => listener.resend(ex, await editedBody(ex, ports.edit)),
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
        curlSigned: (ex) => (listener.forwardTargetFor(ex)?.secret ?? info.secret) !== undefined,
        onCopy: (text) => ports.copy(text),
        onExport: exporter(
          info.exportDir ?? ports.cwd,
          (ex) => ({
            url: listener.forwardTargetFor(ex)?.url ?? info.url,
            secret: listener.forwardTargetFor(ex)?.secret ?? info.secret,
            signatureHeader: info.signatureHeader ?? DEFAULT_SIGNATURE_HEADER,
            timestamp: unixSeconds(systemClock),
          }),
          ports,
        ),
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
  /** Throws when `e` cannot send now (before the editor opens). */
  checkSend?: () => void;
  /** Sends an edited event (`e`): resolves with its new row. */
  onSend: (original: Exchange, body: Buffer) => Promise<Exchange>;
  /** Where `x` and `h` write (default: the working directory). */
  exportDir?: string;
}

/** Where curl commands and HAR entries of `inspect` point without `--to`. */
const DEFAULT_TARGET = "http://localhost:3000/";

/** A recording in the live UI (`inspect`); resolves when the user quits. */
export function runInspectUi(
  source: ExchangeSource,
  info: InspectUiInfo,
  ports: UiPorts,
): Promise<void> {
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
            url: info.to ?? DEFAULT_TARGET,
            headers: ex.request.headers,
            body: ex.request.body,
            signatureHeader: info.signatureHeader ?? DEFAULT_SIGNATURE_HEADER,
            signatureHeaderUsed: ex.verdict.signature.header,
            secret: info.secret,
            timestamp: unixSeconds(systemClock),
          }),
        curlSigned: () => info.secret !== undefined,
        ...(info.to ? {} : { curlNote: `to ${DEFAULT_TARGET}, a placeholder: give --to` }),
        onCopy: (text) => ports.copy(text),
        onEdit: async (ex) => {
          info.checkSend?.();
          return info.onSend(ex, await editedBody(ex, ports.edit));
        },
        onExport: exporter(
          info.exportDir ?? ports.cwd,
          () => ({
            url: info.to ?? DEFAULT_TARGET,
            secret: info.secret,
            signatureHeader: info.signatureHeader ?? DEFAULT_SIGNATURE_HEADER,
            timestamp: unixSeconds(systemClock),
          }),
          ports,
        ),
        cannotSend: "r and e send to your app: start inspect with --to URL",
        onQuit: () => resolve(),
      }),
      { exitOnCtrlC: false },
    );
    void app.waitUntilExit().then(() => resolve());
  });
}
