// "Using the real platform": a tunnel (ngrok, cloudflared, Tailscale Funnel) terminates HTTPS and
// passes the request on to `listen`. Here a local TLS-terminating proxy plays the tunnel.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningMain, runMain, startMain } from "../helpers/main.js";

const TLS = join(import.meta.dirname, "../fixtures/tls");
const SECRET = "whsec_tunnel_test";

let proxy: Server | undefined;
let listener: RunningMain | undefined;
afterEach(async () => {
  listener?.signals.send("SIGINT");
  await listener?.done;
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  proxy = listener = undefined;
});

/** An HTTPS front that passes every request on to `target`, as a tunnel does. */
async function tlsTunnel(target: string): Promise<string> {
  const to = new URL(target);
  proxy = createServer(
    { key: readFileSync(join(TLS, "key.pem")), cert: readFileSync(join(TLS, "cert.pem")) },
    (req, res) => {
      const upstream = httpRequest(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: {
            ...req.headers,
            "x-forwarded-proto": "https",
            "x-forwarded-for": "203.0.113.7",
          },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        res.statusCode = 502;
        res.end();
      });
      req.pipe(upstream);
    },
  );
  await new Promise<void>((resolve) => proxy?.listen(0, "127.0.0.1", resolve));
  return `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

describe("the platform through a tunnel (a local TLS-terminating proxy in front of listen)", () => {
  it("signed events sent to the https URL arrive verified; a wrong secret is a 401", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tunnel-"));
    const record = join(dir, "rec.ndjson");
    listener = startMain([
      "listen",
      "--port",
      "0",
      "--path",
      "/webhooks",
      "--secret",
      SECRET,
      "--json",
      "--record",
      record,
    ]);
    const [, url] = (await listener.waitFor(/"url":"([^"]+)"/, "stdout")) as string[];
    const origin = await tlsTunnel(url as string);
    const sent = await runMain([
      "send",
      "created",
      "--to",
      `${origin}/webhooks`,
      "--secret",
      SECRET,
      "--insecure",
      "--json",
    ]);
    expect(sent.code).toBe(0);
    const wrong = await runMain([
      "send",
      "created",
      "--to",
      `${origin}/webhooks`,
      "--secret",
      "not-the-endpoint-secret",
      "--insecure",
    ]);
    expect(wrong.code).toBe(1);
    listener.signals.send("SIGINT");
    await listener.done;
    listener = undefined;
    const [ok, refused] = readFileSync(record, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(ok).toMatchObject({ status: 200, signature: { status: "valid" }, path: "/webhooks" });
    expect(ok.headers["x-forwarded-proto"]).toBe("https");
    expect(refused).toMatchObject({ status: 401, signature: { status: "invalid" } });
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});
