import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";

// A self-signed certificate made for these tests only (openssl req -x509 … -subj /CN=localhost).
const tls = join(import.meta.dirname, "../fixtures/tls");
let server: Server;
let url: string;
const bodies: string[] = [];

beforeAll(async () => {
  server = createServer(
    { key: readFileSync(join(tls, "key.pem")), cert: readFileSync(join(tls, "cert.pem")) },
    (req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        bodies.push(body);
        res.end("ok");
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("send over HTTPS", () => {
  it("a self-signed certificate is a TLS error naming --insecure", async () => {
    const r = await runMain(["send", "created", "--to", url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /delivery failed: TLS certificate not accepted: .*--insecure skips certificate checks/,
    );
    expect(bodies).toHaveLength(0);
  });

  it("--insecure sends, with a warning", async () => {
    const r = await runMain(["send", "created", "--to", url, "--insecure"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: --insecure");
    expect(bodies).toHaveLength(1);
  });
  // NODE_EXTRA_CA_CERTS is read when node starts: tested in process.e2e.test.ts.
});
