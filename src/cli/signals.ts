/**
 * listen and replay run in a second node process, started by a launcher (bin/ticket-hooks.js) that
 * passes the signals it gets on as messages, marked "launcher". Ctrl-C can reach this process
 * both ways at once (the terminal signals the whole process group): one stop, not two. So the
 * first stop comes from either path, the other path's copy of it is ignored once, and only a
 * repeat on the same path is a second Ctrl-C.
 */
type Path = "launcher" | "direct";

/**
 * Calls `onStop` on the first of `signals`; a second one calls `onForce`, or, without it, ends
 * the process as the signal would have. Returns a function that stops listening.
 */
export function onStopSignal(
  onStop: (signal: NodeJS.Signals) => void,
  onForce?: () => void,
  signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"],
): () => void {
  // The paths the stop has come by: once both have, any signal is a second Ctrl-C.
  const seen = new Set<Path>();
  const dispose = () => {
    for (const s of signals) process.off(s, handler);
  };
  function handler(signal: NodeJS.Signals, from?: unknown) {
    const path: Path = from === "launcher" ? "launcher" : "direct";
    if (!seen.has(path)) {
      seen.add(path);
      // The first stop, or the same stop arriving the other way.
      if (seen.size === 1) onStop(signal);
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
