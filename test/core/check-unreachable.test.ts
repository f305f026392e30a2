import { describe, expect, it } from "vitest";
import { runCheck } from "../../src/core/check/run.js";
import type { CreateHttpSender } from "../../src/core/delivery/http-client.js";
import { BUNDLED } from "../helpers/lookup.js";

const lookup = BUNDLED;

function failing(code: string): { createSender: CreateHttpSender; posts: () => number } {
  let posts = 0;
  return {
    posts: () => posts,
    createSender: () => ({
      post: async () => {
        posts++;
        throw Object.assign(new Error(`boom ${code}`), { code });
      },
      close: async () => {},
    }),
  };
}

describe("check against an unreachable receiver", () => {
  it.each([
    ["ECONNREFUSED", "nothing listening at receiver.test:8080 (connection refused)"],
    ["ENOTFOUND", "DNS name not found: receiver.test"],
    [
      "ERR_SSL_WRONG_VERSION_NUMBER",
      "the server at receiver.test:8080 does not speak TLS; use http://",
    ],
    ["UND_ERR_CONNECT_TIMEOUT", "timed out after 10000 ms"],
  ])("%s stops after the first request, naming the cause", async (code, cause) => {
    const sender = failing(code);
    await expect(
      runCheck(
        { to: "https://receiver.test:8080/hooks", secret: "s", lookup, env: {} },
        { createSender: sender.createSender },
      ),
    ).rejects.toMatchObject({
      kind: "failed",
      message: `check stopped: cannot reach https://receiver.test:8080: ${cause}`,
    });
    expect(sender.posts()).toBe(1);
  });
});
