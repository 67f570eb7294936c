"""The mobile web app at `/`: the built files of `web/dist`, beside the API at /api/v1.

Owns how the app's files are answered: hashed assets (`/assets/…`, the name changes with the content)
are cached for good, everything else is revalidated (`index.html` must be fetched again to see a new
build); paths of the app's own routes (`/customers/…`) get index.html so a reload or a shared link
opens the screen; the Content-Security-Policy lets the page load and call only its own origin.
Any other path (/api/, /metrics, an unknown one) passes on to the API, which answers it as before.
Without a build it says how to make one.
"""
import gzip
import hashlib
import mimetypes
import os
from pathlib import Path

from services.gateway.frontdoor import SECURITY_HEADERS

DIST = Path(os.environ.get("WEB_DIST") or Path(__file__).resolve().parents[2] / "web" / "dist")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
       "connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = [h for h in SECURITY_HEADERS if h[0] != b"content-security-policy"] + [
    (b"content-security-policy", CSP.encode())]
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"no-cache"
COMPRESSIBLE = (".js", ".css", ".html", ".svg", ".json", ".webmanifest", ".txt")
NOT_BUILT = ("<!doctype html><meta charset=utf-8><title>客户经理工作台</title><p>移动端应用尚未构建：安装 Node.js 20 后运行 "
             "<code>make run</code>（或 <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>）。"
             "<p>The mobile app is not built: install Node.js 20, then <code>make run</code> "
             "(or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>). The API is at /api/v1.").encode()
# The first path segments of the app's routes (web/src/router.ts; a test keeps the two in step).
APP_ROUTES = frozenset({"", "sign-in", "home", "tasks", "customers", "scorecard", "team", "rankings", "day", "results",
                        "summary", "complaints", "credit", "approvals"})
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


class WebApp:
    def __init__(self, app, dist: Path = DIST):
        self.app, self.dist = app, dist.resolve()
        self._files: dict[str, tuple[float, bytes, bytes, bytes]] = {}   # path → (mtime, body, gzipped, etag)

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or path.startswith("/api/"):
            return await self.app(scope, receive, send)
        answer = self.answer(path, dict(scope["headers"]))
        if answer is None:
            return await self.app(scope, receive, send)
        status, headers, body = answer
        await send({"type": "http.response.start", "status": status, "headers": headers + HEADERS})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    def answer(self, path: str, request_headers: dict[bytes, bytes]) -> tuple[int, list, bytes] | None:
        """The app's answer for this path, or None when the path is not the app's."""
        route = path.split("/", 2)[1] in APP_ROUTES
        if not (self.dist / "index.html").is_file():
            return (503, [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", REVALIDATE)],
                    NOT_BUILT) if route else None
        file = self._resolve(path)
        if file is None:
            if not route:
                return None
            file = self.dist / "index.html"
        mtime, body, zipped, etag = self._load(file)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        headers = [(b"content-type", (kind + ("; charset=utf-8" if kind.startswith("text/") else "")).encode()),
                   (b"cache-control", IMMUTABLE if path.startswith("/assets/") else REVALIDATE),
                   (b"etag", etag), (b"vary", b"Accept-Encoding")]
        if request_headers.get(b"if-none-match") == etag:
            return 304, headers, b""
        if zipped and b"gzip" in request_headers.get(b"accept-encoding", b""):
            return 200, headers + [(b"content-encoding", b"gzip"), (b"content-length", b"%d" % len(zipped))], zipped
        return 200, headers + [(b"content-length", b"%d" % len(body))], body

    def _resolve(self, path: str) -> Path | None:
        """The file under dist for this URL path, never outside it."""
        relative = path.lstrip("/")
        if not relative:
            return None
        candidate = (self.dist / relative).resolve()
        if not candidate.is_relative_to(self.dist) or not candidate.is_file():
            return None
        return candidate

    def _load(self, file: Path) -> tuple[float, bytes, bytes, bytes]:
        """The file's bytes, its gzip and its ETag, kept until the file changes (a new build)."""
        mtime = file.stat().st_mtime
        kept = self._files.get(str(file))
        if kept is None or kept[0] != mtime:
            body = file.read_bytes()
            zipped = gzip.compress(body, 9, mtime=0) if file.suffix in COMPRESSIBLE and len(body) > 512 else b""
            kept = (mtime, body, zipped, b'"%s"' % hashlib.sha256(body).hexdigest()[:32].encode())
            self._files[str(file)] = kept
        return kept
