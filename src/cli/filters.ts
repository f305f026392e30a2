import { InvalidArgumentError } from "commander";
import { EVENT_NAMES, findEvent } from "../core/events/catalogue.js";
import { didYouMeanSuffix } from "../core/suggest.js";

/** `created,resolved` → the event types. */
export function eventTypeList(value: string): string[] {
  return value.split(",").map((name) => {
    const event = findEvent(name);
    if (!event) {
      throw new InvalidArgumentError(
        `unknown event "${name}"${didYouMeanSuffix(name, EVENT_NAMES)}: use ${EVENT_NAMES.join(", ")}.`,
      );
    }
    return event.type;
  });
}

export function commaList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** An ISO date/time or Unix seconds → ms since the epoch. */
export function timeArg(name: string) {
  return (value: string): number => {
    const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
    if (Number.isNaN(ms)) {
      throw new InvalidArgumentError(`${name} must be an ISO date/time or Unix seconds.`);
    }
    return ms;
  };
}
