#!/usr/bin/env python3
"""A real HTTP client for the HTTP API tests (tests/integration/http_test.cpp).

  http_client.py request METHOD URL [HEADER: VALUE ...] [--body TEXT | --body-size N] [--out FILE]
                 [--cafile FILE]
      one request with http.client; prints {"status", "headers", "body"} as JSON (with
      --out, the body's bytes go to FILE and "body" is empty). An https:// URL is checked
      against the certificate authority in --cafile (host name included, as browsers do),
      and "peer_sha256" is the SHA-256 fingerprint of the server's certificate.
  http_client.py slow HOST PORT
      sends half a request line and waits; prints {"closed_after": seconds} once the
      server hangs up (at most 60 s)
  http_client.py raw HOST PORT TEXT
      sends TEXT as bytes and prints {"answer": first line} of what comes back
  http_client.py crowd HOST PORT N
      opens N idle connections, then requests until one is refused (at most 30 s);
      prints {"status", "body"} of the last one
"""
import hashlib
import http.client
import json
import socket
import ssl
import sys
import time
import urllib.parse


def request(argv):
    method, url = argv[0], urllib.parse.urlsplit(argv[1])
    headers, body, out, cafile = {}, None, None, None
    rest = argv[2:]
    while rest:
        if rest[0] == "--out":
            out, rest = rest[1], rest[2:]
        elif rest[0] == "--cafile":
            cafile, rest = rest[1], rest[2:]
        elif rest[0] == "--body":
            body, rest = rest[1].encode(), rest[2:]
        elif rest[0] == "--body-size":
            body, rest = b"x" * int(rest[1]), rest[2:]
        else:
            name, value = rest[0].split(":", 1)
            headers[name.strip()] = value.strip()
            rest = rest[1:]
    if url.scheme == "https":
        context = ssl.create_default_context(cafile=cafile)
        connection = http.client.HTTPSConnection(url.hostname, url.port, timeout=60,
                                                 context=context)
    else:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    target = url.path + ("?" + url.query if url.query else "")
    peer = ""
    try:
        connection.request(method, target, body=body, headers=headers)
        if url.scheme == "https":
            der = connection.sock.getpeercert(binary_form=True)
            peer = ":".join("%02X" % b for b in hashlib.sha256(der).digest())
        response = connection.getresponse()
        data = response.read()
        if out is not None:
            with open(out, "wb") as f:
                f.write(data)
            data = b""
        text = data.decode("utf-8", "replace")
        print(json.dumps({"status": response.status, "headers": dict(response.getheaders()),
                          "body": text, "peer_sha256": peer}))
    except (ConnectionError, http.client.HTTPException, ssl.SSLError) as error:
        print(json.dumps({"status": 0, "headers": {}, "body": repr(error)}))


def slow(host, port):
    with socket.create_connection((host, int(port)), timeout=60) as s:
        start = time.monotonic()
        s.sendall(b"GET /api/v1/status HT")
        try:
            while s.recv(4096):
                pass
        except (ConnectionError, socket.timeout):
            pass
        print(json.dumps({"closed_after": time.monotonic() - start}))


def raw(host, port, text):
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(text.encode())
        answer = s.makefile("rb").readline().decode("utf-8", "replace").strip()
        print(json.dumps({"answer": answer}))


def crowd(host, port, count):
    idle = [socket.create_connection((host, int(port)), timeout=30) for _ in range(int(count))]
    # The server accepts them in its own time: ask again until it is full (or 30 s pass).
    deadline = time.monotonic() + 30
    while True:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", "/api/v1/status")
        response = connection.getresponse()
        result = {"status": response.status, "body": response.read().decode()}
        connection.close()
        if response.status == 503 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    print(json.dumps(result))
    for s in idle:
        s.close()


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    {"request": lambda: request(args), "slow": lambda: slow(*args),
     "raw": lambda: raw(*args), "crowd": lambda: crowd(*args)}[mode]()
