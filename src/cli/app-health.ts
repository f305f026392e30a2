import type { TargetState } from "../core/receiving/target-health.js";
import type { TargetWatch } from "../ui/ListenApp.js";
import type { Output } from "./output.js";

/**
 * The forward targets' health as `listen` shows it: on each change a `--json` line (when an app
 * goes down, and when it is back) and a note on stderr (without the live UI), and "app down" in
 * the UI's header while any target is down. The first probe answers before the ready line, which
 * must come first: what arrives before `ready()` is held until then.
 */
export class AppHealth implements TargetWatch {
  private readonly watchers = new Set<() => void>();
  /** The targets down now (one per --forward route's URL, and --forward-to). */
  private readonly down = new Set<string>();
  private held: TargetState[] | null = [];

  constructor(
    private readonly out: Output,
    private readonly ui: boolean,
  ) {}

  /** A target went up or down. */
  readonly observe = (state: TargetState): void => {
    if (this.held) this.held.push(state);
    else this.report(state);
  };

  /** The ready line is out: what was held is reported, and what comes next at once. */
  ready(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const state of held) this.report(state);
  }

  readonly isDown = (): boolean => this.down.size > 0;

  readonly subscribe = (watcher: () => void): (() => void) => {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  };

  private report(state: TargetState): void {
    const { out } = this;
    // An app up from the start is silent in --json: a line when it goes down, and when it is back.
    if (out.json && state.up === this.down.has(state.url)) {
      out.record({ type: "target", url: state.url, up: state.up, error: state.error });
    }
    if (!this.ui) {
      if (state.up) out.note(`The app at ${state.url} answers.`);
      else out.warn(`The app at ${state.url} is down: ${state.error}`);
    }
    if (state.up) this.down.delete(state.url);
    else this.down.add(state.url);
    for (const watcher of this.watchers) watcher();
  }
}
