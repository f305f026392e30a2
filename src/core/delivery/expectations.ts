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
  const failed: string[] = [];
  if (expect.status !== undefined) {
    const wanted = Array.isArray(expect.status) ? expect.status : [expect.status];
    if (!wanted.some((w) => statusMatches(w, answer.status as number)))
      failed.push(`expected status ${wanted.join(" or ")}, got ${answer.status}`);
  }
  if (expect.body !== undefined) {
    const parsed = tryParseJson(answer.body ?? "");
    if (!parsed.ok) {
      failed.push("expected a JSON body, got none or something else");
    } else {
      for (const [path, want] of Object.entries(expect.body)) {
        const got = getPath(parsed.value, parsePath(path));
        if (JSON.stringify(got) !== JSON.stringify(want))
          failed.push(`expected body ${path} = ${show(want)}, got ${show(got)}`);
      }
    }
  }
  if (expect.max_ms !== undefined && answer.duration_ms > expect.max_ms)
    failed.push(`expected an answer within ${expect.max_ms} ms, took ${answer.duration_ms} ms`);
  return failed;
}
