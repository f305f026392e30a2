/*
 * Whether the forward target (the user's app) answers: probed at start, followed through every
 * forward (a failure marks it down at once, an answer up), and re-probed while it is down so the
 * UI can say "app down" and clear it when the app is back.
 */

export interface TargetState {
  url: string;
  up: boolean;
  /** Why it is down (the network error), null when up. */
  error: string | null;
}

export type Probe = () => Promise<{ up: boolean; error: string | null }>;

export class TargetHealth {
  private current: TargetState | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly url: string,
    private readonly probe: Probe,
    private readonly onChange: (state: TargetState) => void,
    private readonly retryMs = 5000,
  ) {}

  /** The last known state; null before the first probe. */
  get state(): TargetState | null {
    return this.current;
  }

  async start(): Promise<void> {
    const result = await this.probe();
    this.set(result.up, result.error);
  }

  /** What a forward showed: a status is an answer (up), null a failure (down). */
  observe(status: number | null, error: string | null): void {
    this.set(status !== null, status !== null ? null : error);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private set(up: boolean, error: string | null): void {
    const changed = this.current === null || this.current.up !== up;
    this.current = { url: this.url, up, error };
    if (changed) this.onChange(this.current);
    if (!up) this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped || this.current?.up) return;
      void this.probe().then((r) => {
        if (!this.stopped) this.set(r.up, r.error);
      });
    }, this.retryMs);
    this.timer.unref?.();
  }
}
