// The page's requests to its server (same origin: the cookie goes with them, and POSTs carry
// Origin, which the server checks). Errors come back as `{ error }` and are thrown as Errors.

async function check(res) {
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body && typeof body.error === "string") message = body.error;
  } catch {
    // Not JSON: the status says it.
  }
  throw new Error(message);
}

export async function getJson(path) {
  return (await check(await fetch(path))).json();
}

export async function postJson(path, text = "") {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "text/plain; charset=utf-8" },
    body: text,
  });
  return (await check(res)).json();
}
