# A catch-all HTTP server for the scan benchmark (docs/BENCHMARKS.md): 200 with the same HTML
# page to every path and method. Usage: python3 catchall.py PORT
import sys, http.server, socketserver
PAGE = b"<!doctype html><html><head><title>App</title></head><body><div id=app></div></body></html>"
class H(http.server.BaseHTTPRequestHandler):
    def _ok(self):
        self.send_response(200); self.send_header("Content-Type","text/html"); self.send_header("Content-Length",str(len(PAGE))); self.end_headers(); self.wfile.write(PAGE)
    def do_GET(self): self._ok()
    def do_POST(self):
        n=int(self.headers.get("Content-Length") or 0); self.rfile.read(n); self._ok()
    def log_message(self,*a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads=True
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
