import { usageError } from "../errors.js";
import { findEvent } from "../events/catalogue.js";
import { pointsAtItself } from "./forwarding.js";
import type { Forwarder, ForwardOptions } from "./ports.js";
import { TargetHealth, type TargetState } from "./target-health.js";

/*
 * Where forwarded events go: `--forward EVENTS=URL` routes (each with its own optional secret)
 * and `--forward-to URL` for every other event. One forwarder, loop guard and health per
 * distinct target URL; an event type with no route is answered by the listener itself.
 */

export interface ForwardRoute {
  /** Event types (full, e.g. `ticket.created`); null: every event (`--forward-to`). */
  events: readonly string[] | null;
  url: string;
  /** Re-sign for this route's app with this secret (else the listener's forward secret). */
  secret?: string | undefined;
  /** How the user wrote it, for messages (`--forward resolved=http://…`). */
  label: string;
}

export interface ForwardTarget {
  url: string;
  /** The route's flag as written, for messages. */
  label: string;
  secret: string | undefined;
  forwarder: Forwarder;
  health: TargetHealth;
}

/** `created,assigned` or `ticket.created` → full event types; unknown names are usage errors. */
export function routeEvents(list: string, label: string): string[] {
  const names = list.split(",").map((s) => s.trim());
  if (names.some((n) => n === "")) {
    throw usageError(
      "BAD_ROUTE",
      `${label}: name the events before "=", e.g. created,assigned=http://localhost:3000/hooks`,
    );
  }
  return names.map((name) => {
    const event = findEvent(name);
    if (!event) throw usageError("BAD_ROUTE", `${label}: unknown event "${name}"`);
    return event.type;
  });
}

export class ForwardRouter {
  private constructor(
    readonly targets: readonly ForwardTarget[],
    private readonly byType: ReadonlyMap<string, ForwardTarget>,
    private readonly fallback: ForwardTarget | undefined,
  ) {}

  /**
   * One forwarder per distinct URL. An event type routed twice, or one URL given two secrets, is
   * a usage error.
   */
  static async create(
    routes: readonly ForwardRoute[],
    base: Omit<ForwardOptions, "to" | "secret">,
    defaultSecret: string | undefined,
    createForwarder: (options: ForwardOptions) => Forwarder | Promise<Forwarder>,
    onTarget: (state: TargetState) => void,
  ): Promise<ForwardRouter> {
    const byUrl = new Map<string, ForwardTarget>();
    const byType = new Map<string, ForwardTarget>();
    let fallback: ForwardTarget | undefined;
    const made: ForwardTarget[] = [];
    try {
      for (const route of routes) {
        const secret = route.secret ?? defaultSecret;
        let target = byUrl.get(route.url);
        if (target && target.secret !== secret) {
          throw usageError(
            "BAD_ROUTE",
            `${route.label}: ${route.url} is also the target of ${target.label} with another secret`,
            "Give routes to one URL the same secret (or none).",
          );
        }
        if (!target) {
          const forwarder = await createForwarder({ ...base, to: route.url, secret });
          const t: ForwardTarget = {
            url: route.url,
            label: route.label,
            secret,
            forwarder,
            health: new TargetHealth(route.url, () => forwarder.probe(), onTarget),
          };
          target = t;
          byUrl.set(route.url, t);
          made.push(t);
        }
        if (route.events === null) {
          fallback = target;
          continue;
        }
        for (const type of route.events) {
          const other = byType.get(type);
          if (other) {
            throw usageError(
              "BAD_ROUTE",
              `${route.label}: ${type} is already routed by ${other.label}`,
              "Route each event type once.",
            );
          }
          byType.set(type, target);
        }
      }
    } catch (error) {
      await Promise.all(made.map((t) => t.forwarder.close()));
      throw error;
    }
    return new ForwardRouter(made, byType, fallback);
  }

  get empty(): boolean {
    return this.targets.length === 0;
  }

  /** Where an event of this type goes; undefined: the listener answers it itself. */
  targetFor(eventType: string | null | undefined): ForwardTarget | undefined {
    return (eventType ? this.byType.get(eventType) : undefined) ?? this.fallback;
  }

  /** The first target that is the listener's own address (every request would come back). */
  pointingAtItself(host: string, port: number): ForwardTarget | undefined {
    return this.targets.find((t) => pointsAtItself(t.url, host, port));
  }

  async start(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.health.start()));
  }

  async close(): Promise<void> {
    for (const t of this.targets) t.health.stop();
    await Promise.all(this.targets.map((t) => t.forwarder.close()));
  }
}
