#!/usr/bin/env python3
"""A webhook receiver for tests/integration/webhooks_test.cpp.

usage: webhook_receiver.py PORT LOG SECRET_FILE

Answers every POST with 200 and appends one JSON line per request to LOG: the path, the
headers (lower-case names), the body as JSON, and whether X-Modelvault-Signature-256 is
the HMAC-SHA256 of the raw body under the secret (checked here, independently of the
daemon's code, as a receiver would; docs/NOTIFICATIONS.md, "Webhooks").
"""
import hashlib
import hmac
import http.server
import json
import sys

PORT, LOG, SECRET_FILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(SECRET_FILE, "rb") as secret_file:
    SECRET = secret_file.read().rstrip(b"\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        given = self.headers.get("X-Modelvault-Signature-256", "")
        record = {
            "path": self.path,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body": json.loads(body),
            "signature_ok": hmac.compare_digest(expected, given),
        }
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
