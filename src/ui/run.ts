import { render } from "ink";
import { createElement } from "react";
import { describeFsError, usageError } from "../core/errors.js";
import type { ExchangeActions } from "../core/exchanges/actions.js";
import type { Exchange } from "../core/exchanges/exchange.js";
import { exchangeFile, type HarTarget } from "../core/exchanges/exchange-export.js";
import type { ExchangeSource } from "../core/exchanges/request-log.js";
import type { Listener } from "../core/listener/listen.js";
import { maskSecret } from "../core/signing/signature.js";
import { editedBody } from "./edited-body.js";
import { ListenApp, type TargetWatch, UI_MAX_FPS } from "./ListenApp.js";
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

/** The keys that act on a request (r, e, c, x, h), from the actions the CLI made. */
function actionProps(actions: ExchangeActions, exportDir: string, ports: UiPorts) {
  return {
    onReplay: (ex: Exchange) => actions.replay(ex),
    onEdit: async (ex: Exchange) => {
      actions.checkSend();
      return actions.resend(ex, await editedBody(ex, ports.edit));
    },
    curlFor: (ex: Exchange) => actions.curl(ex),
    curlSigned: (ex: Exchange) => actions.curlSigned(ex),
    ...(actions.curlNote ? { curlNote: actions.curlNote } : {}),
    onCopy: (text: string) => ports.copy(text),
    onExport: exporter(exportDir, (ex) => actions.harTarget(ex), ports),
  };
}

/** Renders the live UI; resolves when the user quits. */
export function runListenUi(
  listener: Listener,
  actions: ExchangeActions,
  info: ListenUiInfo,
  ports: UiPorts,
): Promise<void> {
  return new Promise((resolve) => {
    const app = render(
      createElement(ListenApp, {
        log: listener.log,
        url: info.url,
        secret: info.secret ? maskSecret(info.secret) : undefined,
        forwardTo: info.forwardTo,
        ...actionProps(actions, info.exportDir ?? ports.cwd, ports),
        ...(info.target ? { target: info.target } : {}),
        onQuit: () => resolve(),
      }),
      { exitOnCtrlC: false, maxFps: UI_MAX_FPS },
    );
    void app.waitUntilExit().then(() => resolve());
  });
}

export interface InspectUiInfo {
  file: string;
  /** Where `r` replays to (`--to`). */
  to: string | undefined;
  secret: string | undefined;
  /** Where `x` and `h` write (default: the working directory). */
  exportDir?: string;
}

/** A recording in the live UI (`inspect`); resolves when the user quits. */
export function runInspectUi(
  source: ExchangeSource,
  actions: ExchangeActions,
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
        ...actionProps(actions, info.exportDir ?? ports.cwd, ports),
        cannotSend: "r and e send to your app: start inspect with --to URL",
        onQuit: () => resolve(),
      }),
      { exitOnCtrlC: false, maxFps: UI_MAX_FPS },
    );
    void app.waitUntilExit().then(() => resolve());
  });
}
