import type { Command } from "commander";
import { TicketHooksError, usageError } from "../core/errors.js";
import type { InspectorFeed } from "../web/api.js";
import type { Inspector } from "../web/server.js";
import { collect, intArg } from "./options.js";
import type { Output } from "./output.js";

/** The web inspector's flags, shared by listen and inspect. */
export interface WebFlags {
  web?: boolean;
  webPort?: number;
  webHost?: string;
  webAllowHost?: string[];
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function addWebOptions(command: Command, what: string): Command {
  return command
    .option("--web", `serve the web inspector, a page of ${what}, on a loopback port of its own`)
    .option(
      "--web-port <port>",
      "the web inspector's port (default 4041, or any free one when it is taken)",
      intArg("--web-port", 0, 65535),
    )
    .option(
      "--web-host <address>",
      "the address the web inspector binds (default 127.0.0.1; another one is warned about)",
    )
    .option(
      "--web-allow-host <name>",
      "a host name the page may be opened under besides localhost (repeat for more)",
      collect,
    );
}

const PLAIN_WORDS: Record<string, string> = {
  EADDRINUSE: "it is in use (EADDRINUSE)",
  ENOTFOUND: "no such address (ENOTFOUND)",
  EADDRNOTAVAIL: "not an address of this machine (EADDRNOTAVAIL)",
  EACCES: "not allowed (EACCES: a port under 1024 needs root)",
};

/** Why the page could not start, in words, with what to change. */
function webStartError(error: NodeJS.ErrnoException, flags: WebFlags): TicketHooksError {
  const where = `${flags.webPort === undefined ? "" : ` on port ${flags.webPort}`}${flags.webHost ? ` at ${flags.webHost}` : ""}`;
  const why = (error.code && PLAIN_WORDS[error.code]) ?? error.code ?? error.message;
  const portTrouble = error.code === "EADDRINUSE" || error.code === "EACCES";
  return new TicketHooksError(
    error.code === "EADDRINUSE" ? "PORT_IN_USE" : "LISTEN_FAILED",
    `cannot start the web inspector${where}: ${why}`,
    {
      hint: portTrouble
        ? "Choose another with --web-port, or leave it out for the usual one (or any free)."
        : "Give an address of this machine with --web-host, or leave it out (127.0.0.1).",
    },
  );
}

/** --web-port, --web-host and --web-allow-host say how to serve the page: without --web, nothing. */
export function checkWebFlags(flags: WebFlags): void {
  const given = [
    flags.webPort !== undefined ? "--web-port" : null,
    flags.webHost !== undefined ? "--web-host" : null,
    flags.webAllowHost ? "--web-allow-host" : null,
  ].filter((f): f is string => f !== null);
  if (!flags.web && given.length > 0) {
    throw usageError(
      "WEB_OPTION_ALONE",
      `${given.join(" and ")} need --web (the web inspector is off without it)`,
    );
  }
}

/**
 * The web inspector for `feed`, started as the flags say; its URL (with the run's token) said
 * once, and as a `{"type":"web"}` line with --json.
 */
export async function openWeb(
  feed: InspectorFeed,
  flags: WebFlags,
  out: Output,
): Promise<Inspector> {
  const { startInspector, DEFAULT_WEB_PORT } = await import("../web/server.js");
  if (flags.webHost !== undefined && !LOOPBACK.has(flags.webHost)) {
    out.warn(
      `the web inspector binds ${flags.webHost}, not only this machine: anyone who reaches it and has the URL's token can see every request and replay it`,
    );
  }
  const inspector = await startInspector(feed, {
    ...(flags.webPort === undefined ? {} : { port: flags.webPort }),
    ...(flags.webHost === undefined ? {} : { host: flags.webHost }),
    ...(flags.webAllowHost ? { allowHosts: flags.webAllowHost } : {}),
  }).catch((error: NodeJS.ErrnoException) => {
    throw webStartError(error, flags);
  });
  if (inspector.fellBack) {
    out.note(`port ${DEFAULT_WEB_PORT} is taken: the web inspector is on port ${inspector.port}`);
  }
  if (out.json) out.record({ type: "web", url: inspector.url });
  out.note(`Web inspector: ${inspector.url} (open it in a browser; the token is for this run)`);
  return inspector;
}
