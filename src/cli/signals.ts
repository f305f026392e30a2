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

/**
 * Calls `onStop` on the first stop request; a second one calls `onForce`, or, without it, ends the
 * process as the signal would have. Returns a function that stops listening.
 */
export function onStopSignal(
  source: SignalSource,
  onStop: (signal: NodeJS.Signals) => void,
  onForce?: (signal: NodeJS.Signals) => void,
): () => void {
  let stopping = false;
  const dispose = source.subscribe((signal) => {
    if (!stopping) {
      stopping = true;
      onStop(signal);
    } else if (onForce) onForce(signal);
    else {
      dispose();
      process.kill(process.pid, signal);
    }
  });
  return dispose;
}

/** Resolves on the first stop request (see onStopSignal for a second one). */
export function untilSignal(source: SignalSource): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    onStopSignal(source, resolve);
  });
}
