// The page's one way to put outside text on screen: as text (textContent, never markup), with
// control characters, invisible marks and bidi overrides shown as escapes instead of obeyed
// (the joiners U+200C and U+200D stay: emoji and many scripts are written with them).

const HIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is made visible
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Text with its invisible and direction-changing characters written as `\uXXXX`. */
export function visible(text) {
  return String(text ?? "").replace(
    HIDDEN,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Text cut to `max` characters, saying how many were left out. */
export function cut(text, max) {
  const s = String(text ?? "");
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

/**
 * An element with children; strings become text nodes (through `visible`), never markup.
 * `props`: className, title, dataset, on* listeners, and plain attributes.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) setProp(node, key, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : visible(child));
  }
  return node;
}

function setProp(node, key, value) {
  if (value === undefined || value === null || value === false) return;
  if (key === "className") node.className = value;
  else if (key === "dataset") Object.assign(node.dataset, value);
  else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
  else if (key === "hidden" || key === "disabled") node[key] = Boolean(value);
  else node.setAttribute(key, String(value));
}

/** Bytes (base64) as text: valid UTF-8 as it is, every other byte as `\xNN`. */
export function bytesText(base64) {
  const raw = atob(base64);
  const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  const decoder = new TextDecoder();
  let out = "";
  let run = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    // A byte that starts no valid sequence: the valid run before it, then the byte as \xNN.
    out += decoder.decode(bytes.subarray(run, i));
    out += `\\x${bytes[i].toString(16).padStart(2, "0")}`;
    i++;
    run = i;
  }
  return out + decoder.decode(bytes.subarray(run));
}

/**
 * UTF-8's lead bytes: [first, last, length, and the range the second byte must be in] (RFC 3629:
 * no overlong forms, no surrogates, nothing past U+10FFFF).
 */
const LEADS = [
  [0x00, 0x7f, 1, 0x80, 0xbf],
  [0xc2, 0xdf, 2, 0x80, 0xbf],
  [0xe0, 0xe0, 3, 0xa0, 0xbf],
  [0xe1, 0xec, 3, 0x80, 0xbf],
  [0xed, 0xed, 3, 0x80, 0x9f],
  [0xee, 0xef, 3, 0x80, 0xbf],
  [0xf0, 0xf0, 4, 0x90, 0xbf],
  [0xf1, 0xf3, 4, 0x80, 0xbf],
  [0xf4, 0xf4, 4, 0x80, 0x8f],
];

/** Bytes of the valid UTF-8 sequence at `i`, or 0 when there is none. */
function sequenceLength(b, i) {
  const lead = LEADS.find(([lo, hi]) => b[i] >= lo && b[i] <= hi);
  if (!lead) return 0;
  const [, , n, lo, hi] = lead;
  if (n === 1) return 1;
  if (i + n > b.length || b[i + 1] < lo || b[i + 1] > hi) return 0;
  for (let k = 2; k < n; k++) if ((b[i + k] & 0xc0) !== 0x80) return 0;
  return n;
}
