// Reading README.md's ```sh lines for the doc-test (test/cli/readme.test.ts, where the conventions
// are described): the lines, their shell words, and how each one is run.

export interface ReadmeLine {
  /** 1-based line number in README.md. */
  line: number;
  text: string;
  /** The output the README shows for it: the `# …` lines right below it, without the `# `. */
  shown: string[];
}

/** Every command line of every ```sh block of a markdown text, with the output shown below it. */
export function shLines(markdown: string): ReadmeLine[] {
  const out: ReadmeLine[] = [];
  let inSh = false;
  markdown.split("\n").forEach((text, i) => {
    if (/^```/.test(text)) {
      inSh = !inSh && /^```(sh|bash|shell)\s*$/.test(text);
      return;
    }
    if (!inSh || text.trim() === "") return;
    const shown = /^#\s?(.*)$/.exec(text);
    const last = out.at(-1);
    if (shown && last) last.shown.push(shown[1] as string);
    else if (!shown) out.push({ line: i + 1, text, shown: [] });
  });
  return out;
}

/**
 * A line of shown output as a pattern of what the command prints: what changes from run to run
 * matches anything of its kind (numbers, times, event ids, hex digests), and `…` stands for text
 * left out.
 */
export function shownPattern(shown: string): RegExp {
  const KINDS: Array<[RegExp, string]> = [
    [/[0-9a-f]{64}/g, "\u0000HEX\u0000"],
    [/whev_[a-z0-9]{17}/g, "\u0000ID\u0000"],
    [/\d+(\.\d+)?/g, "\u0000N\u0000"],
  ];
  let text = shown;
  for (const [kind, mark] of KINDS) text = text.replace(kind, mark);
  const escaped = text
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replaceAll("\u0000HEX\u0000", "[0-9a-f]{64}")
    .replaceAll("\u0000ID\u0000", "whev_[a-z0-9]{17}")
    .replaceAll("\u0000N\u0000", "\\d+(?:\\.\\d+)?")
    .replaceAll("…", ".*");
  return new RegExp(escaped);
}

/** A shell word list: quotes, backslashes, `$NAME` expanded from env; the trailing comment apart. */
export function shellWords(
  text: string,
  env: Record<string, string | undefined>,
): { words: string[]; comment: string; operators: string[] } {
  const words: string[] = [];
  const operators: string[] = [];
  let word: string | null = null;
  let i = 0;
  const push = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  const variable = (): string => {
    const m = /^\$(\{(\w+)\}|(\w+))/.exec(text.slice(i));
    if (!m) {
      i++;
      return "$";
    }
    i += m[0].length;
    const name = (m[2] ?? m[3]) as string;
    const value = env[name];
    if (value === undefined) throw new Error(`$${name} is not set for the README lines`);
    return value;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      push();
      i++;
    } else if (ch === "#" && word === null) {
      push();
      return { words, comment: text.slice(i + 1).trim(), operators };
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error("unclosed '");
      word = (word ?? "") + text.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      word ??= "";
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && /["\\$`]/.test(text[i + 1] ?? "")) {
          word += text[i + 1];
          i += 2;
        } else if (text[i] === "$") word += variable();
        else word += text[i++];
      }
      if (text[i] !== '"') throw new Error('unclosed "');
      i++;
    } else if (ch === "\\") {
      word = (word ?? "") + (text[i + 1] ?? "");
      i += 2;
    } else if (ch === "$") {
      word = (word ?? "") + variable();
    } else if (/[|&;<>()]/.test(ch) && word === null) {
      const op = /^(\|\||&&|>>|[|&;<>()])/.exec(text.slice(i))?.[0] as string;
      words.push(op);
      operators.push(op);
      i += op.length;
    } else {
      word = (word ?? "") + ch;
      i++;
    }
  }
  push();
  return { words, comment: "", operators };
}

type Plan =
  | { kind: "skip"; why: string }
  | {
      kind: "main";
      argv: string[];
      /** `NAME=value` words before the command: the line's own environment. */
      env: Record<string, string>;
      stdinFile?: string;
      longRunning: boolean;
    }
  | { kind: "shell"; script: string };

/** How one README line is run. */
export function plan(
  text: string,
  env: Record<string, string | undefined>,
): Plan & { expected: number } {
  const { words, comment } = shellWords(text, env);
  const expected = Number(/\(exit (\d+)\)/.exec(comment)?.[1] ?? 0);
  if (words.length === 0) return { kind: "skip", why: "a comment", expected };
  let rest = words;
  if (rest[0] === "npm" && rest[1] === "install" && rest[2] === "&&") rest = rest.slice(3);
  if (rest[0] === "npm" && rest[1] === "test")
    return { kind: "skip", why: "npm test: the suite this test is part of", expected };
  let stdinFile: string | undefined;
  if (rest[0] === "cat" && rest[2] === "|" && rest[1] !== undefined) {
    stdinFile = rest[1];
    rest = rest.slice(3);
  }
  const lt = rest.indexOf("<");
  if (lt >= 0 && lt === rest.length - 2) {
    stdinFile = rest[lt + 1];
    rest = rest.slice(0, lt);
  }
  const lineEnv: Record<string, string> = {};
  for (
    let m = /^([A-Za-z_]\w*)=(.*)$/s.exec(rest[0] ?? "");
    m;
    m = /^([A-Za-z_]\w*)=(.*)$/s.exec(rest[0] ?? "")
  ) {
    lineEnv[m[1] as string] = m[2] as string;
    rest = rest.slice(1);
  }
  if (rest[0] === "npx") rest = rest.slice(1);
  const simple =
    rest[0] === "ticket-hooks" && !rest.some((w) => /^(\|\||&&|>>|[|&;<>()])$/.test(w));
  if (!simple) return { kind: "shell", script: text, expected };
  const argv = rest.slice(1);
  const longRunning = argv[0] === "listen" || argv.includes("--keep-open");
  return {
    kind: "main",
    argv,
    env: lineEnv,
    ...(stdinFile ? { stdinFile } : {}),
    longRunning,
    expected,
  };
}

/** What a long-running line (listen, demo --keep-open) prints once it is ready, and its URL. */
export const READY = /(?:Ready: listening on|Still listening on) (\S+?)\.?\s/;
