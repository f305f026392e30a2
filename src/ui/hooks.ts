import { useStdout } from "ink";
import { useEffect, useState } from "react";
import type { Exchange } from "../core/exchanges/exchange.js";
import type { ExchangeSource } from "../core/exchanges/request-log.js";

/**
 * Re-renders when the log changes (at most every `everyMs`, 50 by default, under load); the log
 * lives outside React.
 */
export function useLog(log: ExchangeSource, everyMs = 50): readonly Exchange[] {
  const [, setVersion] = useState(0);
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const unsubscribe = log.subscribe(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        setVersion((v) => v + 1);
      }, everyMs);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [log, everyMs]);
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
