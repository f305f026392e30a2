// The ceiling for any sender built on undici, as a reference for `send` in the bench:
//   node undici-loop.mjs URL COUNT CONCURRENCY SECRET BODY_FILE
// undici's lowest public layer (`Pool.dispatch`, `pipelining: 1`) with a do-nothing handler, and
// the least a signed sender must do per request: an HMAC of `t.body` in a fresh header object. No
// event_id per request, no retries, no timeout, no results kept: what is left is undici and the
// socket. `send` does all of those on top of the same layer; the bench shows how close it comes.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { Pool } from "undici";

const [url, countText, concurrencyText, secret, bodyFile] = process.argv.slice(2);
const count = Number(countText);
const concurrency = Number(concurrencyText);
if (!url || !secret || !bodyFile || !(count > 0) || !(concurrency > 0)) {
  console.error("usage: node undici-loop.mjs URL COUNT CONCURRENCY SECRET BODY_FILE");
  process.exit(2);
}
let body;
try {
  body = readFileSync(bodyFile);
} catch (error) {
  console.error(`undici-loop: cannot read ${bodyFile}: ${error.code ?? error.message}`);
  process.exit(2);
}
const target = new URL(url);
const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1 });

let started = 0;
let finished = 0;
let failed = 0;
let done;
const allDone = new Promise((resolve) => {
  done = resolve;
});

function headers() {
  const t = Math.floor(Date.now() / 1000);
  const s = createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
  return { "content-type": "application/json", "x-signature": `t=${t},s=${s}` };
}

/** One request in flight at a time per lane; the next leaves when it completes. */
class Lane {
  send() {
    if (started === count) return;
    started++;
    pool.dispatch({ method: "POST", path: target.pathname, headers: headers(), body }, this);
  }
  finish() {
    if (++finished === count) done();
    else this.send();
  }
  onConnect() {}
  onHeaders(status) {
    if (status < 200 || status > 299) failed++;
    return true;
  }
  onData() {
    return true;
  }
  onComplete() {
    this.finish();
  }
  onError() {
    failed++;
    this.finish();
  }
}

for (let i = 0; i < Math.min(concurrency, count); i++) new Lane().send();
await allDone;
await pool.close();
if (failed > 0) {
  console.error(`undici-loop: ${failed} of ${count} request(s) failed`);
  process.exitCode = 1;
}
