#!/usr/bin/env python3
"""Print the notifications Sluice posts (webhook JSON and Slack bodies).

    python3 examples/nightly/receiver.py          # listens on 127.0.0.1:8765
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        event = self.headers.get("X-Sluice-Event", "")
        try:
            text = json.dumps(json.loads(body), indent=2)
        except ValueError:
            text = body.decode(errors="replace")
        print(f"--- POST {self.path} {event}\n{text}", flush=True)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()
