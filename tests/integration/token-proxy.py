#!/usr/bin/env python3
"""A Bearer token server in front of a real registry, as Docker Hub works:
/v2/ requests without the token get a 401 with a Bearer challenge (realm,
service, scope); /token gives the token (to the right Basic credentials,
when TOKEN_USER is set); requests with it are passed to the registry.
Usage: token-proxy.py PORT UPSTREAM (host:port). Loopback only."""
import base64, http.server, json, os, sys, urllib.error, urllib.request

PORT, UPSTREAM = int(sys.argv[1]), sys.argv[2]
TOKEN = "test-token-42"
USER, PASSWORD = os.environ.get("TOKEN_USER"), os.environ.get("TOKEN_PASSWORD")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def challenge(self):
        repo = self.path[len("/v2/"):].split("/manifests/")[0].split("/blobs/")[0]
        scope = f',scope="repository:{repo}:pull"' if "/manifests/" in self.path or "/blobs/" in self.path else ""
        self.send_response(401)
        self.send_header("WWW-Authenticate",
                         f'Bearer realm="http://127.0.0.1:{PORT}/token",service="test-registry"{scope}')
        self.send_header("Content-Type", "application/json")
        body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/token"):
            if USER:
                want = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
                if self.headers.get("Authorization") != want:
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            body = json.dumps({"token": TOKEN}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.challenge()
        req = urllib.request.Request(f"http://{UPSTREAM}{self.path}")
        if self.headers.get("Accept"):
            req.add_header("Accept", self.headers["Accept"])
        try:
            resp = urllib.request.urlopen(req)
        except urllib.error.HTTPError as e:
            resp = e
        self.send_response(resp.status if hasattr(resp, "status") else resp.code)
        for h in ("Content-Type", "Content-Length", "Docker-Content-Digest"):
            if resp.headers.get(h):
                self.send_header(h, resp.headers[h])
        self.end_headers()
        while True:
            chunk = resp.read(65536)
            if not chunk:
                break
            self.wfile.write(chunk)


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
