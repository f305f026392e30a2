import { render } from "ink";
import { createElement } from "react";
import { systemClock, unixSeconds } from "../core/clock.js";
import { curlCommand } from "../core/delivery/curl.js";
import type { Listener } from "../core/receiving/listen.js";
import { DEFAULT_SIGNATURE_HEADER, maskSecret } from "../core/signing/signature.js";
import { osc52 } from "../terminal/clipboard.js";
import { ListenApp } from "./ListenApp.js";

export interface ListenUiInfo {
  url: string;
  secret: string | undefined;
  forwardTo: string | undefined;
  forwardSecret?: string | undefined;
  signatureHeader?: string;
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
        // To the app when forwarding (signed for it), else back to this listener.
        curlFor: (ex) =>
          curlCommand({
            url: info.forwardTo ?? info.url,
            headers: ex.request.headers,
            body: ex.request.body,
            signatureHeader: info.signatureHeader ?? DEFAULT_SIGNATURE_HEADER,
            signatureHeaderUsed: ex.verdict.signature.header,
            secret: info.forwardSecret ?? info.secret,
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
