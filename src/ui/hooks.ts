import { useStdout } from "ink";
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import type { Exchange } from "../core/exchanges/exchange.js";
import type { ExchangeSource } from "../core/exchanges/request-log.js";

/**
 * A store over the log for useSyncExternalStore: its version moves on a log change, at most every
 * `everyMs` under load (a frame per change would be thousands a second).
 */
function throttledStore(log: ExchangeSource, everyMs: number) {
  let version = 0;
  return {
    subscribe(onChange: () => void): () => void {
      let timer: NodeJS.Timeout | undefined;
      const unsubscribe = log.subscribe(() => {
        timer ??= setTimeout(() => {
          timer = undefined;
          version++;
          onChange();
        }, everyMs);
      });
      return () => {
        unsubscribe();
        if (timer) clearTimeout(timer);
      };
    },
    version: () => version,
  };
}

/** The log's entries, re-rendered when it changes (at most every `everyMs`, default 50). */
export function useLog(log: ExchangeSource, everyMs = 50): readonly Exchange[] {
  const store = useMemo(() => throttledStore(log, everyMs), [log, everyMs]);
  useSyncExternalStore(store.subscribe, store.version);
  return log.entries;
}

export interface TerminalSize {
  columns: number;
  rows: number;
}

const sizeOf = (stdout: NodeJS.WriteStream): TerminalSize => ({
  columns: stdout.columns || 80,
  rows: stdout.rows || 24,
});

/** The terminal's size, following resizes. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const onResize = () => setSize(sizeOf(stdout));
    onResize();
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return size;
}
