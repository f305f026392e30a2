/** Where stop requests come from: Ctrl-C and SIGTERM for a process; tests pass their own. */
export interface SignalSource {
  /** Calls `handler` on each stop request; returns a function that stops listening. */
  subscribe(handler: (signal: NodeJS.Signals) => void): () => void;
}

/** SIGINT and SIGTERM of this process. */
export const processSignals: SignalSource = {
  subscribe(handler) {
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
    for (const s of signals) process.on(s, handler);
    return () => {
      for (const s of signals) process.off(s, handler);
    };
  },
};

/** The exit code of a process a signal ended: 128 + its number, as a shell reports it. */
export const signalExitCode = (signal: NodeJS.Signals): number =>
  signal === "SIGTERM" ? 143 : 130;

/**
 * Calls `onStop` on the first stop request and `onForce` on a second one (which should end the run
 * at once: `io.exit(signalExitCode(signal))`). Returns a function that stops listening.
 */
export function onStopSignal(
  source: SignalSource,
  onStop: (signal: NodeJS.Signals) => void,
  onForce: (signal: NodeJS.Signals) => void,
): () => void {
  let stopping = false;
  return source.subscribe((signal) => {
    if (stopping) return onForce(signal);
    stopping = true;
    onStop(signal);
  });
}

/** Resolves on the first stop request; a second one calls `onForce`. */
export function untilSignal(
  source: SignalSource,
  onForce: (signal: NodeJS.Signals) => void,
): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    onStopSignal(source, resolve, onForce);
  });
}
