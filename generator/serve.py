"""`dateline serve`: build, serve on 127.0.0.1, rebuild on change, reload the browser.

The reload script and the error overlay are injected by this development server only;
they never reach the built site.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import html
import json
import multiprocessing
import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import cache
from .build import BuildFailed, build
from .cache import Recall
from .config import Config, ConfigError, load_config
from .errors import located
from .parallel import die_with_parent, release_memory
from .write import MARKER

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
FAILED_PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
               "<title>Dateline build failed</title></head><body>"
               "<h1>Dateline build failed</h1><p>Fix the problems below and save; this "
               "page reloads when the site builds.</p><pre>{errors}</pre>{reload}</body></html>")


def failed_page(errors: list[str]) -> bytes:
    """The page with the errors in it (the overlay adds them too, but not without script)."""
    return FAILED_PAGE.format(errors=html.escape("\n".join(errors)),
                              reload=RELOAD_TAG.decode()).encode("utf-8")


SHOWN = 20  # warnings printed after one build; `dateline check` lists every one
SERVING = "still serving the previous site"  # (said after a failed build; when there is
# none to serve, `BuildState.rebuild` says so instead)


class BuildState:
    """The latest build's version number and errors, shared with the request handlers."""

    def __init__(self) -> None:
        self.version = 0
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.recall = Recall()  # the parsed articles, kept from one rebuild to the next
        self.article_files: int | None = None  # the last good build's: where to build next
        self.listening = None  # the server's socket, which a forked build closes
        self.warned: set[str] | None = None  # the last build's warnings, once built

    def rebuild(self, config: Config, echo) -> Outcome:
        """Builds in this process while the site is one whose articles it keeps between
        builds (`cache.recallable`); a larger site, or one not built yet, in a process
        forked for the build, which hands all its memory back when it ends: at 100,000
        articles a process that stayed up held most of a gigabyte between builds, and its
        builds peaked higher than the command line's, above 2 GB. (Where processes
        cannot fork, every build is made in this process.)"""
        start = time.perf_counter()
        apart = hasattr(os, "fork") and (self.article_files is None or
                                         not cache.recallable(self.article_files))
        outcome = _build_apart(config, self.listening) if apart else \
            _attempt(config, self.recall)
        for line in self._new_warnings(outcome) if outcome.reported else ():
            echo(line)
        if outcome.errors and not (config.output / MARKER).is_file():
            echo(outcome.said.replace(SERVING, "nothing to serve until it builds"))
        else:
            echo(outcome.said if outcome.errors else
                 f"{outcome.said} in {time.perf_counter() - start:.2f}s.")
        with self.lock:
            self.version += 1
            self.errors = outcome.errors
        if outcome.article_files is not None:
            self.article_files = outcome.article_files
        return outcome

    def _new_warnings(self, outcome: Outcome) -> list[str]:
        """The warnings to print: on the first build all of them (up to SHOWN), then only
        those the last build did not have, so that saving a file shows what it caused
        (a misspelt key, a date far from its event) without repeating the archive's."""
        warnings, first = outcome.warnings, self.warned is None
        fresh = warnings if first else [w for w in warnings if w not in self.warned]
        self.warned = set(warnings)
        if len(fresh) <= SHOWN:
            return fresh
        return [*fresh[:SHOWN], f"... and {len(fresh) - SHOWN} more warning(s): "
                "`dateline check` lists them all"]



@dataclass
class Outcome:
    """A build as serve reports it."""

    errors: list[str]  # to show on the page; none when the build succeeded
    said: str  # to print
    warnings: list[str] = field(default_factory=list)  # to print when new
    reported: bool = True  # False: the build stopped before its report was complete
    article_files: int | None = None  # read; None when the build failed
    timings: dict[str, float] = field(default_factory=dict)  # by stage, as `build` gives them


def _attempt(config: Config, recall: Recall | None) -> Outcome:
    try:
        result = build(config, recall=recall)
        return Outcome([], f"Built {config.output}/: {result.counts()}",
                       [located(p, config.content) for p in result.report.warnings],
                       article_files=result.article_files, timings=result.timings)
    except BuildFailed as failure:
        errors = [located(p, config.content) for p in failure.report.errors]
        return Outcome(errors, f"Build failed; {SERVING}:\n" +
                       "\n".join(errors),
                       [located(p, config.content) for p in failure.report.warnings])
    except Exception as exc:  # a server for writing keeps serving through anything
        return Outcome([f"the build stopped: {type(exc).__name__}: {exc}"],
                       "".join(traceback.format_exception(exc)) +
                       f"The build stopped; {SERVING}.", reported=False)


def _build_apart(config: Config, listening=None) -> Outcome:
    """`_attempt` in a forked process (which has this one's imports and settings); a
    process that dies (out of memory, say) is a build that stopped."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_build_and_send, args=(config, send, listening),
                            name="dateline build")
    child.start()
    send.close()
    try:
        with receive:
            return receive.recv()
    except EOFError:
        child.join()
        problem = f"the build stopped: its process ended with exit code {child.exitcode}"
        return Outcome([problem], f"{problem}; {SERVING}.",
                       reported=False)
    except BaseException:  # (Ctrl-C reached the build too: it discards its staging folder)
        child.join(timeout=10)
        child.terminate()  # (SIGTERM: the same, if it has not ended)
        raise
    finally:
        child.join()


def _build_and_send(config: Config, send, listening) -> None:
    """The forked build: it ends with the server (SIGTERM, so its staging folder is
    discarded) and does not hold the server's port open."""
    die_with_parent(signal.SIGTERM)
    if listening is not None:
        listening.close()
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):  # (the server stops)
        send.send(_attempt(config, None))


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
            with self.state.lock:
                page = failed_page(self.state.errors)
            return self._send(page, "text/html; charset=utf-8", status=503)
        missing = Path(self.directory) / "404.html"
        if not target.exists() and missing.is_file():  # (the site's own, as Pages shows it)
            page = missing.read_bytes().replace(b"</body>", RELOAD_TAG + b"</body>")
            return self._send(page, "text/html; charset=utf-8", status=404)
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
    Every build it makes is a preview (`Config.preview`), whoever calls it.
    """
    config = dataclasses.replace(config, preview=True)
    state = BuildState()
    handler = type("BoundHandler", (Handler,), {"state": state})
    try:  # (the port first: a taken one should not cost a build)
        server = ThreadingHTTPServer(("127.0.0.1", port),
                                     functools.partial(handler, directory=str(config.output)))
    except OSError as exc:
        raise PortUnavailable(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    state.listening = server.socket
    state.rebuild(config, echo)
    hand_back_memory()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    echo(f"Serving {config.output}/ at http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)")
    if on_ready:
        on_ready(server.server_port, state)
    try:
        _watch_and_rebuild(config, state, echo, stop)
    finally:
        server.shutdown()


def _watch_and_rebuild(config: Config, state: BuildState, echo, stop) -> None:
    """Rebuilds after every save to the content, the templates or site.toml. The folders
    are watched (watchfiles); site.toml and whether templates/ exists are looked at each
    second besides: an editor that saves by replacing the file ends a watch on it, and a
    templates/ folder made while serving was not watched at all."""
    from watchfiles import watch

    again = False  # (a save made while the watch moved to other folders: build again)
    while stop is None or not stop.is_set():
        folders, seen = _watched(config), _settings_stamp(config)
        for changes in watch(*folders, stop_event=stop, debounce=300, rust_timeout=1000,
                             yield_on_timeout=True):
            now = _settings_stamp(config)
            if not changes and now == seen and not again:
                continue
            seen, again = now, False
            state.rebuild(_reload_config(config, echo), echo)
            hand_back_memory()  # (while the browser reloads)
            if _watched(config) != folders:
                again = True
                break  # (templates/ came or went: watch the folders there are now)
        else:
            return


def _watched(config: Config) -> list[Path]:
    return [p for p in (config.content, config.root / "templates") if p.is_dir()]


def _settings_stamp(config: Config) -> tuple:
    """site.toml as it stands (replaced, edited or gone) and whether templates/ exists."""
    try:
        found = (config.root / "site.toml").stat()
        toml = (found.st_ino, found.st_mtime_ns, found.st_size)
    except OSError:
        toml = None
    return toml, (config.root / "templates").is_dir()


def _reload_config(config: Config, echo) -> Config:
    """site.toml may have changed; a broken one keeps the previous settings. The address
    stays the one the server started with (`dateline serve` builds without site.toml's
    `base_url`, so that every link stays on 127.0.0.1): a rebuild that took it from
    site.toml again sent the 404 page's style sheet and links to the published site and
    rendered every page again. A preview it stays too."""
    try:
        return load_config(config.content, output=config.output, drafts=config.drafts or None,
                           base_url=config.base_url, preview=config.preview)
    except ConfigError as exc:
        echo(str(exc))
        return config
