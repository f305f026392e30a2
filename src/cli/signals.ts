/**
 * Calls `onStop` on the first of `signals`; a second one calls `onForce`, or, without it, ends
 * the process as the signal would have. Returns a function that stops listening.
 */
export function onStopSignal(
  onStop: (signal: NodeJS.Signals) => void,
  onForce?: () => void,
  signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"],
): () => void {
  let stopping = false;
  const dispose = () => {
    for (const s of signals) process.off(s, handler);
  };
  function handler(signal: NodeJS.Signals) {
    if (!stopping) {
      stopping = true;
      onStop(signal);
    } else if (onForce) onForce();
    else {
      dispose();
      process.kill(process.pid, signal);
    }
  }
  for (const s of signals) process.on(s, handler);
  return dispose;
}

/** Resolves on the first SIGINT or SIGTERM (see onStopSignal for a second one). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    onStopSignal(resolve);
  });
}
