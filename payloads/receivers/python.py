# A receiver for the ticketing platform's webhooks: Python 3, standard library only.
# Run: WEBHOOK_SECRET=… python3 webhook_receiver.py   (PORT defaults to 3000)
import hashlib
import hmac
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ.get("WEBHOOK_SECRET", "").encode("utf-8")
if not SECRET:
    sys.exit("WEBHOOK_SECRET is not set: set it to your endpoint's secret")
TOLERANCE_SECONDS = 300
seen = set()  # event ids already handled: use your database in production


def verify(header, raw_body):
    """True when one s= of t=<unix>,s=<hex>[,s=<hex>…] is the HMAC of "<t>.<raw body>"."""
    parts = (header or "").split(",")
    t = next((p[2:] for p in parts if p.startswith("t=")), "")
    if not re.fullmatch(r"\d{1,12}", t) or abs(time.time() - int(t)) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(SECRET, t.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    candidates = [p[2:] for p in parts if p.startswith("s=")]
    return any(re.fullmatch(r"[0-9a-f]{64}", s) and hmac.compare_digest(s, expected) for s in candidates)


def handle(event):
    # Your work here: event["event_type"] is whitelabel-ticket-created, -updated, -assigned or -resolved.
    print(event.get("event_type"), event.get("data", {}).get("ticket", {}).get("id"), flush=True)


class Receiver(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        if self.path != "/webhooks":
            return self.answer(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1024 * 1024:
            return self.answer(413, {"error": "too large"})
        raw = self.rfile.read(length)  # the exact bytes: verify before parsing
        if not verify(self.headers.get("X-Signature"), raw):
            return self.answer(401, {"error": "bad signature"})
        try:
            event = json.loads(raw)
        except ValueError:
            return self.answer(400, {"error": "invalid JSON"})
        self.answer(200, {"ok": True})  # answer first, work afterwards
        event_id = event.get("event_id") if isinstance(event, dict) else None
        if event_id in seen:
            return  # a retry of an event already handled
        seen.add(event_id)
        threading.Thread(target=handle, args=(event,)).start()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "3000"))), Receiver)
print(f"listening on http://127.0.0.1:{server.server_address[1]}/webhooks", flush=True)
server.serve_forever()
