"""`dateline serve`: build, serve on 127.0.0.1, rebuild on change, reload the browser.

The reload script and the error overlay are injected by this development server only;
they never reach the built site.
"""

from __future__ import annotations

import functools
import gc
import json
import threading
import time
import traceback
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .build import BuildFailed, build
from .cache import Recall
from .config import Config, ConfigError, load_config
from .errors import located
from .parallel import release_memory

RELOAD_JS = b"""(function () {
  var seen = null;
  function overlay(errors) {
    var box = document.getElementById("dateline-errors");
    if (!errors.length) { if (box) box.remove(); return; }
    if (!box) { box = document.createElement("pre"); box.id = "dateline-errors";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;" +
        "margin:0;padding:1rem;background:#3b0d0c;color:#fff;font:14px/1.4 monospace;z-index:99";
      document.body.appendChild(box); }
    box.textContent = "Dateline build failed:\\n" + errors.join("\\n");
  }
  function poll() {
    fetch("/__dateline/status", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (s) {
        if (seen !== null && s.version !== seen && !s.errors.length) { location.reload(); }
        seen = s.version; overlay(s.errors);
      }).catch(function () {}).then(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""


RELOAD_TAG = b'<script src="/__dateline/reload.js"></script>'

# What a missing page shows while the build is broken (the first build, or a page the
# last good build did not have): the overlay fills in the errors, and the page reloads
# itself once a build succeeds.
FAILED_PAGE = (b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
               b"<title>Dateline build failed</title></head><body>"
               b"<h1>Dateline build failed</h1><p>Fix the problems below and save; this "
               b"page reloads when the site builds.</p>" + RELOAD_TAG + b"</body></html>")


class BuildState:
    """The latest build's version number and errors, shared with the request handlers."""

    def __init__(self) -> None:
        self.version = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.recall = Recall()  # the parsed articles, kept from one rebuild to the next

    def rebuild(self, config: Config, echo) -> None:
        errors = self._build(config, echo)
        with self.lock:
            self.version += 1
            self.errors = errors
        hand_back_memory()  # (while the browser reloads)

    def _build(self, config: Config, echo) -> list[str]:
        """Builds; returns the errors to show (none when the build succeeded)."""
        start = time.perf_counter()
        try:
            result = build(config, recall=self.recall)
            taken = time.perf_counter() - start
            echo(f"Built {config.output}/: {result.counts()} in {taken:.2f}s.")
            return []
        except BuildFailed as failure:
            errors = [located(p, config.content) for p in failure.report.errors]
            echo("Build failed; still serving the previous site:\n" + "\n".join(errors))
            return errors
        except Exception as exc:  # a server for writing keeps serving through anything
            echo("".join(traceback.format_exception(exc)) + "Still serving the previous site.")
            return [f"the build stopped: {type(exc).__name__}: {exc}"]


def hand_back_memory() -> None:
    """What a build left (its site, the heap its stages grew) handed back to the system,
    so that a server up all day is no larger between builds than one build needs, and
    the next build's workers, forked from it, do not start from a fragmented heap."""
    gc.collect()
    release_memory()


class Handler(SimpleHTTPRequestHandler):
    state: BuildState

    def do_GET(self) -> None:
        if self.path.startswith("/__dateline/status"):
            with self.state.lock:
                body = json.dumps({"version": self.state.version, "errors": self.state.errors})
            return self._send(body.encode(), "application/json")
        if self.path.startswith("/__dateline/reload.js"):
            return self._send(RELOAD_JS, "text/javascript")
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            page = target.read_bytes().replace(b"</body>", RELOAD_TAG + b"</body>")
            return self._send(page, "text/html; charset=utf-8")
        if not target.exists() and self.state.errors:
            return self._send(FAILED_PAGE, "text/html; charset=utf-8", status=503)
        return super().do_GET()

    def _send(self, body: bytes, kind: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # quiet: rebuilds are what matter
        pass


class PortUnavailable(Exception):
    """The port is taken (or not ours to bind)."""


def serve(config: Config, port: int, echo, stop: threading.Event | None = None,
          on_ready=None) -> None:
    """Serves until interrupted (or until `stop` is set, for tests).

    `on_ready(port, state)` is called once the server listens, so callers can use port 0.
    """
    from watchfiles import watch

    state = BuildState()
    handler = type("BoundHandler", (Handler,), {"state": state})
    try:  # (the port first: a taken one should not cost a build)
        server = ThreadingHTTPServer(("127.0.0.1", port),
                                     functools.partial(handler, directory=str(config.output)))
    except OSError as exc:
        raise PortUnavailable(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    state.rebuild(config, echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    echo(f"Serving {config.output}/ at http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)")
    if on_ready:
        on_ready(server.server_port, state)
    try:
        for _changes in watch(*_watched(config), stop_event=stop, debounce=300):
            state.rebuild(_reload_config(config, echo), echo)
    finally:
        server.shutdown()


def _watched(config: Config) -> list[Path]:
    paths = [config.content, config.root / "site.toml", config.root / "templates"]
    return [p for p in paths if p.exists()]


def _reload_config(config: Config, echo) -> Config:
    """site.toml may have changed; a broken one keeps the previous settings."""
    try:
        return load_config(config.content, output=config.output, drafts=config.drafts or None,
                           base_url=config.base_url or None)
    except ConfigError as exc:
        echo(str(exc))
        return config
