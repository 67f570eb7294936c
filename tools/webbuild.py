"""The mobile web app's build for `make run` and `make test`: `web/dist` made anew (`npm ci` + build) when
it is missing or older than its sources; without Node.js the API still runs and this says how to get the app.

`python -m tools.webbuild` builds if needed and exits non-zero when it could not.
"""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
DIST = WEB / "dist" / "index.html"
SOURCES = ("src", "public", "index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json")
NO_NODE = ("Node.js/npm not found: the API runs without the mobile web app. Install Node.js 20 "
           "(e.g. apt-get install nodejs npm), then run `make run` again or `cd web && npm ci && npm run build`.")


def newest(paths) -> float:
    times = [0.0]
    for path in paths:
        if path.is_dir():
            times += [p.stat().st_mtime for p in path.rglob("*") if p.is_file()]
        elif path.exists():
            times.append(path.stat().st_mtime)
    return max(times)


def stale() -> bool:
    return not DIST.exists() or DIST.stat().st_mtime < newest(WEB / s for s in SOURCES)


def ensure_built() -> str | None:
    """Build when stale. None when web/dist is current, else a sentence saying why the app is missing."""
    if not stale():
        return None
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return NO_NODE
    installed = WEB / "node_modules" / ".package-lock.json"
    steps = [[npm, "run", "build"]]
    if not installed.exists() or installed.stat().st_mtime < (WEB / "package-lock.json").stat().st_mtime:
        steps.insert(0, [npm, "ci", "--no-audit", "--no-fund"])
    for step in steps:
        print("web:", " ".join(step[1:]), flush=True)
        if subprocess.run(step, cwd=WEB).returncode != 0:
            return f"`{' '.join(step[1:])}` failed in web/: the API runs without the mobile web app"
    return None


if __name__ == "__main__":
    problem = ensure_built()
    if problem:
        print(problem, file=sys.stderr)
    sys.exit(1 if problem else 0)
