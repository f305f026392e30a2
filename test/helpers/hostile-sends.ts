import { HostileServer, trickledAnswer } from "./hostile-server.js";
import { type MainResult, runMain } from "./main.js";

// `send` against receivers that answer too slowly: shared by the behaviour tests (test/cli) and
// the timing tests (test/slow), which check the same runs differently.

/** The `--json` delivery lines of a run. */
export const deliveries = (stdout: string): Record<string, unknown>[] =>
  stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((r) => r.type === "delivery");

export interface HostileSend {
  server: HostileServer;
  result: MainResult;
  delivery: Record<string, unknown> | undefined;
}

async function sendTo(server: HostileServer, args: string[]): Promise<HostileSend> {
  const result = await runMain(["send", "created", "--to", server.url, ...args, "--json"]);
  return { server, result, delivery: deliveries(result.stdout)[0] };
}

/** send --timeout 300 to a receiver trickling its answer one byte every 20 ms. */
export async function trickledSend(): Promise<HostileSend> {
  return sendTo(await new HostileServer(trickledAnswer(20)).start(), ["--timeout", "300"]);
}

/** send --timeout 150 --retries 2 to a receiver that answers only the third attempt. */
export async function retriedSend(): Promise<HostileSend> {
  let calls = 0;
  const server = await new HostileServer((_req, res) => {
    calls++;
    if (calls > 2) res.end("late but fine");
  }).start();
  return sendTo(server, ["--timeout", "150", "--retries", "2", "--backoff", "0"]);
}
