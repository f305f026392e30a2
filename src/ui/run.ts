import { render } from "ink";
import { createElement } from "react";
import type { Listener } from "../core/receiving/listen.js";
import { maskSecret } from "../core/signing/signature.js";
import { ListenApp } from "./ListenApp.js";

/** Renders the live UI; resolves when the user quits. */
export function runListenUi(
  listener: Listener,
  info: { url: string; secret: string | undefined; forwardTo: string | undefined },
): Promise<void> {
  return new Promise((resolve) => {
    const app = render(
      createElement(ListenApp, {
        log: listener.log,
        url: info.url,
        secret: info.secret ? maskSecret(info.secret) : undefined,
        forwardTo: info.forwardTo,
        onReplay: (ex) => listener.replay(ex),
        onQuit: () => resolve(),
      }),
      { exitOnCtrlC: false },
    );
    void app.waitUntilExit().then(() => resolve());
  });
}
