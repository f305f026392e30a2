/*
 * Where a JSON text stops being JSON, for error messages that name a line and column. V8's own
 * messages carry a position only sometimes ("Unexpected token 'x', …" has none in Node 20 to 24),
 * and parse-json, which reads it from the message, finds none for those either; jsonc-parser
 * finds it but recurses, and overflows on text nested 10,000 deep. So the text is scanned here,
 * without recursion (an explicit stack of open containers), and only after JSON.parse failed.
 */

/** A JSON text's first offending character: thrown as its offset. */
class Stop {
  constructor(readonly at: number) {}
}

const WHITE_SPACE = new Set([32, 10, 13, 9]);
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const HEX = /^[0-9a-fA-F]$/;
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class JsonScanner {
  private i = 0;
  /** The containers open at this point, innermost last: `{` or `[`. */
  private readonly open: string[] = [];

  constructor(private readonly text: string) {}

  /** The offset of the first character a JSON parser cannot accept (the length when it ends early). */
  firstError(): number {
    try {
      this.document();
    } catch (stop) {
      if (!(stop instanceof Stop)) throw stop;
      return Math.min(stop.at, this.text.length);
    }
    return this.text.length;
  }

  private document(): void {
    do this.value();
    while (this.afterValue());
    this.ws();
    if (this.i < this.text.length) this.fail();
  }

  /** A value starts here: a scalar or an empty container, after the containers it opens. */
  private value(): void {
    for (;;) {
      this.ws();
      const ch = this.text[this.i];
      if (ch !== "{" && ch !== "[") {
        this.scalar();
        return;
      }
      this.i++;
      this.ws();
      if (this.text[this.i] === (ch === "{" ? "}" : "]")) {
        this.i++;
        return;
      }
      this.open.push(ch);
      if (ch === "{") this.key();
    }
  }

  /** After a value: containers close; true when another member follows. */
  private afterValue(): boolean {
    for (let top = this.open.at(-1); top !== undefined; top = this.open.at(-1)) {
      this.ws();
      const ch = this.text[this.i];
      if (ch === ",") {
        this.i++;
        if (top === "{") this.key();
        return true;
      }
      if (ch !== (top === "{" ? "}" : "]")) this.fail();
      this.i++;
      this.open.pop();
    }
    return false;
  }

  /** `"name":` of an object member. */
  private key(): void {
    this.ws();
    if (this.text[this.i] !== '"') this.fail();
    this.string();
    this.ws();
    if (this.text[this.i] !== ":") this.fail();
    this.i++;
  }

  private scalar(): void {
    const ch = this.text[this.i];
    if (ch === '"') this.string();
    else if (ch === "t") this.literal("true");
    else if (ch === "f") this.literal("false");
    else if (ch === "n") this.literal("null");
    else if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) this.number();
    else this.fail();
  }

  private string(): void {
    this.i++; // the opening quote
    while (this.i < this.text.length) {
      const ch = this.text[this.i] as string;
      if (ch === '"') {
        this.i++;
        return;
      }
      if (ch < " ") this.fail();
      if (ch === "\\") this.escape();
      else this.i++;
    }
    this.fail();
  }

  /** `\` and what follows it in a string. */
  private escape(): void {
    const esc = this.text[++this.i];
    if (esc !== "u") {
      if (esc === undefined || !ESCAPES.has(esc)) this.fail();
      this.i++;
      return;
    }
    for (let k = 1; k <= 4; k++) {
      if (!HEX.test(this.text[this.i + k] ?? "")) {
        this.i += k;
        this.fail();
      }
    }
    this.i += 5;
  }

  private literal(word: string): void {
    for (const ch of word) {
      if (this.text[this.i] !== ch) this.fail();
      this.i++;
    }
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m || m[0] === "" || m[0] === "-") this.fail();
    this.i += (m as RegExpExecArray)[0].length;
  }

  private ws(): void {
    while (WHITE_SPACE.has(this.text.charCodeAt(this.i))) this.i++;
  }

  private fail(): never {
    throw new Stop(this.i);
  }
}

/** Offset of the first character a JSON parser cannot accept (text.length when input ends early). */
export function jsonErrorOffset(text: string): number {
  return new JsonScanner(text).firstError();
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
