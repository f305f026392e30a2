import { getPath, parsePath } from "../events/paths.js";
import { tryParseJson } from "../json.js";

/** What a scenario step's answer must be. Without one, the rule is "a 2xx answer". */
export interface Expectation {
  /** A status (200), a class ("2xx"), or a list of them. */
  status?: number | string | Array<number | string>;
  /** Paths in the --set syntax → the values the answer's JSON must hold there. */
  body?: Record<string, unknown>;
  /** The answer must come within this many ms. */
  max_ms?: number;
}

export interface Answered {
  status: number | null;
  body: string | null;
  duration_ms: number;
}

const statusMatches = (want: number | string, got: number) =>
  typeof want === "number" ? got === want : String(got)[0] === want[0];

const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** `expect.status`: the answer's status is one of these (a number, or a class like "2xx"). */
function statusUnmet(want: Expectation["status"], status: number): string[] {
  if (want === undefined) return [];
  const wanted = Array.isArray(want) ? want : [want];
  if (wanted.some((w) => statusMatches(w, status))) return [];
  return [`expected status ${wanted.join(" or ")}, got ${status}`];
}

/** `expect.body`: the answer is JSON with these values at these paths. */
function bodyUnmet(want: Expectation["body"], body: string | null): string[] {
  if (want === undefined) return [];
  const parsed = tryParseJson(body ?? "");
  if (!parsed.ok) return ["expected a JSON body, got none or something else"];
  return Object.entries(want).flatMap(([path, value]) => {
    const got = getPath(parsed.value, parsePath(path));
    return JSON.stringify(got) === JSON.stringify(value)
      ? []
      : [`expected body ${path} = ${show(value)}, got ${show(got)}`];
  });
}

/**
 * The checks an answer fails, one phrase each ("expected status 201, got 200"); empty when it
 * passes. An unanswered request fails every expectation.
 */
export function unmet(expect: Expectation | undefined, answer: Answered): string[] {
  if (answer.status === null) return ["no answer"];
  if (!expect) {
    return answer.status >= 200 && answer.status < 300
      ? []
      : [`expected status 2xx, got ${answer.status}`];
  }
  const slow =
    expect.max_ms !== undefined && answer.duration_ms > expect.max_ms
      ? [`expected an answer within ${expect.max_ms} ms, took ${answer.duration_ms} ms`]
      : [];
  return [
    ...statusUnmet(expect.status, answer.status),
    ...bodyUnmet(expect.body, answer.body),
    ...slow,
  ];
}
