/**
 * The OSC 52 sequence that asks the terminal to put text on the clipboard (xterm, iTerm2, kitty,
 * WezTerm, Windows Terminal, tmux with set-clipboard). Terminals without it ignore the sequence.
 */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, "utf8").toString("base64")}\u0007`;
}
