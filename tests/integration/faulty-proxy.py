#!/usr/bin/env python3
"""A misbehaving registry in front of a real one, for the tests.
Usage: faulty-proxy.py PORT UPSTREAM MODE LOG, loopback only. MODE:
  redirect  blob GETs answer 307 to the upstream, as Docker Hub's CDN does
  flaky     the first two requests of each path answer 503
  garbage   manifests are not JSON
  badtype   manifests come with an unknown media type
  short     blobs are cut to half their length
  forward   a forward proxy (http_proxy): absolute-form requests passed on
  huge      manifests are a body of 1 GiB that never ends in time
Every request line is appended to LOG."""
import http.server, sys, urllib.error, urllib.request

PORT, UPSTREAM, MODE, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
seen = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(self.path + "\n")
        path = self.path
        if path.startswith("http://"):
            path = "/" + path.split("/", 3)[3]
        seen[path] = seen.get(path, 0) + 1
        if MODE == "flaky" and seen[path] <= 2:
            return self.reply(503, b"busy")
        if MODE == "redirect" and "/blobs/" in path:
            return self.reply(307, headers=[("Location", f"http://{UPSTREAM}{path}")])
        if MODE == "huge" and "/manifests/" in path:
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
            self.send_header("Content-Length", str(1 << 30))
            self.end_headers()
            chunk = b" " * (1 << 16)
            try:
                for _ in range((1 << 30) // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if MODE == "garbage" and "/manifests/" in path:
            return self.reply(200, b"{not json", [("Content-Type", "application/vnd.oci.image.manifest.v1+json")])
        req = urllib.request.Request(f"http://{UPSTREAM}{path}")
        if self.headers.get("Accept"):
            req.add_header("Accept", self.headers["Accept"])
        try:
            resp = urllib.request.urlopen(req)
            status = resp.status
        except urllib.error.HTTPError as e:
            resp, status = e, e.code
        body = resp.read()
        ctype = resp.headers.get("Content-Type", "")
        if MODE == "badtype" and "/manifests/" in path:
            ctype = "application/x-unknown"
            body = body.replace(b'"mediaType":"application/vnd.oci.image.manifest.v1+json",', b"")
            body = body.replace(b'"mediaType": "application/vnd.oci.image.manifest.v1+json",', b"")
            body = body.replace(b'"config"', b'"konfig"')
        if MODE == "short" and "/blobs/" in path and len(body) > 100000:
            body = body[: len(body) // 2]
        self.reply(status, body, [("Content-Type", ctype)])


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
