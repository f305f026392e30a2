import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { BIN } from "./cli.js";

/** The listener as a process whose stdout the test controls (stalls, or closes). */
export async function spawnListener(file: string) {
  const child = spawn(
    process.execPath,
    [BIN, "listen", "--port", "0", "--json", "--record", file],
    {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => resolve(code)),
  );
  // The ready line, read by hand; stdout is then left alone (paused) or closed.
  const url = await new Promise<string>((resolve) => {
    let text = "";
    const onData = (d: Buffer) => {
      text += d.toString("utf8");
      const m = /"url":"([^"]+)"/.exec(text);
      if (m) {
        child.stdout.off("data", onData);
        child.stdout.pause();
        resolve(m[1] as string);
      }
    };
    child.stdout.on("data", onData);
  });
  const peakRss = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  };
  return { child, url, exited, stderr: () => stderr, peakRss };
}
