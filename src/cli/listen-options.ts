import { parseTarget, splitCredentials } from "../core/delivery/send.js";
import { usageError } from "../core/errors.js";
import type { WhereClause } from "../core/events/where.js";
import type { ListenOptions } from "../core/listener/listen.js";
import { type ForwardRoute, routeEvents } from "../core/receiving/router.js";
import type { WebFlags } from "./web.js";

// `listen`'s flags (or the config file's values) turned into the listener's options, the forward
// routes of `--forward EVENTS=URL`, `--forward-secret-for` and the config file's "forward" map
// checked on the way.

export interface ListenFlags extends WebFlags {
  exportDir?: string;
  readyFile?: string;
  port: number;
  host: string;
  path: string;
  secret?: string;
  signatureHeader: string;
  tolerance: number;
  maxBody: number;
  maxHeld?: number;
  status: number;
  delay: number;
  rejectInvalid?: boolean;
  events?: string[];
  where?: WhereClause[];
  record?: string;
  forwardTo?: string;
  forwardSecret?: string;
  /** `EVENTS=URL` specs from the command line, or the config file's map. */
  forward?: string[] | Record<string, unknown>;
  forwardSecretFor?: string[];
  header?: Array<[string, string]>;
  insecure?: boolean;
  json?: boolean;
  ui: boolean;
  platformApi?: boolean;
  platformApiKey?: string;
  platformApiKeyHeader?: string;
}

const ROUTE_HINT =
  'Write --forward EVENTS=URL, e.g. --forward created,assigned=http://localhost:3000/hooks (in the config file: "forward": {"created,assigned": "http://…", "resolved": {"url": "http://…", "secret": "…"}}).';

/** `EVENTS=X` → [EVENTS, X], split at the first "=" (URLs and secrets may hold more). */
function splitSpec(spec: string, flag: string): [string, string] {
  const at = spec.indexOf("=");
  if (at <= 0 || at === spec.length - 1) {
    throw usageError(
      "BAD_ROUTE",
      `${flag} ${JSON.stringify(spec)}: expected EVENTS=${flag === "--forward" ? "URL" : "SECRET"}`,
      ROUTE_HINT,
    );
  }
  return [spec.slice(0, at), spec.slice(at + 1)];
}

function eventsKey(types: readonly string[]): string {
  return [...types].sort().join(",");
}

/** Where events go, for the UI header: `created,assigned → URL · resolved → URL2 · others → URL3`. */
export function routesLabel(
  routes: readonly ForwardRoute[] | undefined,
  forwardTo: string | undefined,
): string | undefined {
  if (!routes || routes.length === 0) return forwardTo;
  const parts = routes.map(
    (r) =>
      `${(r.events ?? []).map((t) => t.replace(/^whitelabel-ticket-/, "")).join(",")} → ${r.url}`,
  );
  if (forwardTo) parts.push(`others → ${forwardTo}`);
  return parts.join(" · ");
}

/** One route, its events, URL and secret checked. */
function route(events: string, url: string, label: string, secret?: string): ForwardRoute {
  const types = routeEvents(events, label);
  try {
    parseTarget(url);
  } catch (error) {
    throw usageError("BAD_ROUTE", `${label}: ${(error as Error).message}`, ROUTE_HINT);
  }
  if (secret === "") {
    throw usageError(
      "EMPTY_SECRET",
      `${label}: the secret is empty`,
      "Give the real secret, or leave it out to use --forward-secret.",
    );
  }
  return { events: types, url, label, ...(secret !== undefined ? { secret } : {}) };
}

/** A config file's route value: a URL, or `{"url": "…", "secret": "…"}` and nothing else. */
function isRouteObject(value: unknown): value is { url: string; secret?: string } {
  if (value === null || typeof value !== "object") return false;
  const { url, secret } = value as { url?: unknown; secret?: unknown };
  return (
    typeof url === "string" &&
    (secret === undefined || typeof secret === "string") &&
    Object.keys(value).every((k) => k === "url" || k === "secret")
  );
}

/** The config file's "forward" map → routes. */
function configRoutes(given: unknown): ForwardRoute[] {
  if (given === null || typeof given !== "object") {
    throw usageError(
      "BAD_CONFIG",
      `"forward" in the config file must be a map of events to URLs`,
      ROUTE_HINT,
    );
  }
  return Object.entries(given).map(([events, value]) => {
    const label = `"forward": "${events}"`;
    if (typeof value === "string") return route(events, value, label);
    if (isRouteObject(value)) return route(events, value.url, label, value.secret);
    throw usageError(
      "BAD_CONFIG",
      `${label} must be a URL or {"url": "…", "secret": "…"} (value not shown)`,
      ROUTE_HINT,
    );
  });
}

/** `--forward-secret-for EVENTS=SECRET`: the secret given to the route of those events. */
function applySecretFor(routes: readonly ForwardRoute[], spec: string): void {
  const at = spec.indexOf("=");
  const events = at > 0 ? spec.slice(0, at) : spec;
  // The secret is never echoed.
  if (at <= 0 || at === spec.length - 1) {
    throw usageError(
      "BAD_ROUTE",
      `--forward-secret-for ${JSON.stringify(events)}=…: expected EVENTS=SECRET (value not shown)`,
      'e.g. --forward resolved=http://localhost:4000/hooks --forward-secret-for resolved="$APP_SECRET"',
    );
  }
  const key = eventsKey(routeEvents(events, `--forward-secret-for ${events}`));
  const found = routes.find((r) => r.events && eventsKey(r.events) === key);
  if (!found) {
    throw usageError(
      "BAD_ROUTE",
      `--forward-secret-for ${events}: no --forward ${events}=URL route to give it to`,
      "Name the same events as in the --forward route, e.g. --forward resolved=URL --forward-secret-for resolved=SECRET.",
    );
  }
  found.secret = spec.slice(at + 1);
}

/** --forward / --forward-secret-for, or the config file's "forward" map → routes. */
export function forwardRoutes(flags: ListenFlags): ForwardRoute[] {
  const given = flags.forward;
  const routes = Array.isArray(given)
    ? given.map((spec) => {
        const [events, url] = splitSpec(spec, "--forward");
        return route(events, url, `--forward ${events}=${url}`);
      })
    : given === undefined
      ? []
      : configRoutes(given);
  for (const spec of flags.forwardSecretFor ?? []) applySecretFor(routes, spec);
  return routes;
}

export function listenOptions(flags: ListenFlags): ListenOptions {
  // `user:password@` in --forward-to is sent as Basic auth (as curl does), never shown.
  const target = flags.forwardTo ? splitCredentials(flags.forwardTo) : undefined;
  if (target) parseTarget(target.to);
  const headers = {
    ...(target?.authorization ? { authorization: target.authorization } : {}),
    ...(flags.header ? Object.fromEntries(flags.header) : {}),
  };
  const routes = forwardRoutes(flags);
  return {
    port: flags.port,
    host: flags.host,
    path: flags.path,
    secret: flags.secret,
    signatureHeader: flags.signatureHeader,
    tolerance: flags.tolerance,
    maxBody: flags.maxBody,
    ...(flags.maxHeld ? { maxHeldBytes: flags.maxHeld } : {}),
    status: flags.status,
    delayMs: flags.delay,
    rejectInvalid: flags.rejectInvalid === true,
    events: flags.events ? new Set(flags.events) : undefined,
    where: flags.where,
    record: flags.record,
    forwardTo: target?.to,
    forwardSecret: flags.forwardSecret,
    ...(routes.length > 0 ? { forwardRoutes: routes } : {}),
    ...(flags.platformApi
      ? {
          platformApi: {
            apiKey: flags.platformApiKey,
            ...(flags.platformApiKeyHeader ? { apiKeyHeader: flags.platformApiKeyHeader } : {}),
          },
        }
      : {}),
    forwardHeaders: Object.keys(headers).length > 0 ? headers : undefined,
    forwardInsecure: flags.insecure === true,
  };
}
