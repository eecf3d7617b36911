"""The `dateline` command. Thin: parses options, calls the pipeline, prints the outcome.

Exit codes: 0 success, 1 content errors, 2 usage errors (click's own convention).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

import click

from .errors import located

CONTENT = click.option("--content", type=click.Path(path_type=Path), default=Path("content"),
                       show_default=True, help="Folder of article files.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dateline")
def main() -> None:
    """Dateline turns dated news articles into a static timeline site."""


def run() -> None:
    """The `dateline` command (and `python -m generator`): `main`, then out of the process
    without taking its objects apart one by one, which a build leaves by the million
    (0.2 s of every build at 10,000 articles, after all its work was written). Output is
    flushed first; every file a build writes is closed by then."""
    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if code is not None and not isinstance(code, int):
        click.echo(code, err=True)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


def _checked_base_url(ctx: click.Context, param: click.Parameter, value: str | None
                      ) -> str | None:
    """--base-url held to site.toml's rule (a usage error, exit 2, when it breaks it)."""
    from .config import base_url_problem

    if value is not None and (problem := base_url_problem(value)):
        raise click.BadParameter(f"{value!r} {problem}, e.g. https://user.github.io/repo/")
    return value


@main.command()
@CONTENT
@click.option("--output", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True,
              help="Folder to write the site into (changed only once the build succeeded).")
@click.option("--base-url", default=None, callback=_checked_base_url,
              help="Public URL of the site, e.g. "
              "https://user.github.io/repo/ (default: site.toml's base_url).")
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
@click.option("--no-search", is_flag=True, help="Skip the Pagefind search index and page "
              "(default: site.toml's search).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--no-cache", is_flag=True, help="Neither read nor update the .dateline/ "
              "cache (deleting .dateline/ is always safe).")
@click.option("--timings", is_flag=True, help="Print the time each stage took (stderr).")
def build(content: Path, output: Path, base_url: str | None, drafts: bool, no_search: bool,
          quiet: bool, no_cache: bool, timings: bool) -> None:
    """Build the site from CONTENT into OUTPUT."""
    from .build import BuildFailed
    from .build import build as run_build

    config = _config(content, output=output, base_url=base_url, drafts=drafts or None,
                     search=False if no_search else None)
    start = time.perf_counter()
    try:
        with _progress(quiet) as on_stage:
            result = run_build(config, on_stage=on_stage, cache=not no_cache)
        elapsed = time.perf_counter() - start
    except BuildFailed as failure:
        _print_problems(failure.report, quiet, content)
        _fail(f"Build failed: {len(failure.report.errors)} error(s); {output} was not changed.")
    except _output_errors() as exc:
        _fail(f"Error: {_said(exc)}")
    except KeyboardInterrupt:
        _fail(f"Interrupted; {output} was not changed.")
    _print_problems(result.report, quiet, content)
    if not quiet:
        click.echo(f"Built {output}/: {result.counts()} in {time.perf_counter() - start:.2f}s.")
    if timings:
        _print_timings(result.timings, elapsed)


STAGES = ("parse", "merge", "compare", "render", "outputs", "search")


def _print_timings(timings: dict[str, float], elapsed: float) -> None:
    """Where the build's time went, as an aligned table on stderr (stdout stays clean).
    "other" is the build's time outside the stages (finding the files, planning the
    pages, moving the output into place), so that the rows add up to "total"."""
    names = [s for s in STAGES if s in timings] + sorted(set(timings) - set(STAGES))
    rows = [(name, timings[name]) for name in names]
    rows += [("other", max(0.0, elapsed - sum(timings.values()))), ("total", elapsed)]
    width = max(len(name) for name, _ in rows)
    click.echo(f"{'stage':<{width}}  seconds", err=True)
    for name, seconds in rows:
        click.echo(f"{name:<{width}}  {seconds:7.3f}", err=True)


@main.command()
@CONTENT
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check(content: Path, strict: bool) -> None:
    """Load and validate the content without writing anything."""
    from .build import counted, load
    from .config import ConfigError, load_config
    from .errors import Report
    from .render import check_templates

    _config(content, folder_only=True)  # (settings problems are reported with the rest)
    report = Report()
    try:
        config = load_config(content)
    except ConfigError as exc:  # every problem at once: the content is checked with defaults
        report.extend(exc.problems)
        config = load_config(content, defaults=True)
    site = load(config, report, {})
    report.extend(check_templates(config))
    _print_problems(report, quiet=False, content=content)
    if report.failed or (strict and report.warnings):
        _fail(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s).")
    click.echo(f"OK: {counted(sum(len(e.articles) for e in site.events), 'article')}, "
               f"{counted(len(site.events), 'event')}, {len(report.warnings)} warning(s).")


def _config(content: Path, folder_only: bool = False, **overrides):
    from .config import ConfigError, load_config

    if not content.is_dir():
        raise click.UsageError(f"content folder '{content}' does not exist "
                               "(run in your site folder, or pass --content DIR)")
    if folder_only:
        return None
    try:
        return load_config(content, **overrides)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(located(problem, content), err=True)
        _fail("site.toml has errors; nothing was built.")


@contextlib.contextmanager
def _progress(quiet: bool):
    """A live stage line on a terminal; nothing in CI, pipes or --quiet."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    with Console(stderr=True).status("Building…") as status:
        yield lambda stage: status.update(f"Building: {stage}…")


def _print_problems(report, quiet: bool, content: Path) -> None:
    from .timeline import counted

    for problem in report.errors:
        click.echo(located(problem, content), err=True)
    if not quiet:
        for problem in report.warnings:
            click.echo(located(problem, content), err=True)
        if report.drafts:
            files = sorted(set(report.draft_media))
            theirs = f" and the {counted(len(files), 'file')} they link to ({', '.join(files)})" \
                if files else ""
            click.echo(f"Skipped {len(report.drafts)} draft(s): {', '.join(report.drafts)}"
                       f"{theirs} (build with --drafts to include them)", err=True)


def _said(exc: Exception) -> str:
    """An error as one line: a system error by its reason and file ("No space left on
    device: site/events/...")."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)


def _output_errors():
    """What a build can meet writing its output (a full disk, a folder it may not write):
    said in one line, not a traceback (the staging folder is dropped; the site it would
    have replaced stays)."""
    from .write import OutputError

    return (OutputError, OSError)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@main.command()
@CONTENT
@click.option("--output", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True, help="Folder to build into and serve.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
def serve(content: Path, output: Path, port: int, drafts: bool) -> None:
    """Build, serve on 127.0.0.1, rebuild and reload the browser when files change."""
    from .serve import PortUnavailable
    from .serve import serve as run_serve

    config = _config(content, output=output, drafts=drafts or None, base_url="")
    try:
        run_serve(config, port, click.echo)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    except PortUnavailable as exc:
        click.echo(f"Error: {exc}; try another --port (0 picks a free one).", err=True)
        sys.exit(2)


@main.command()
@click.argument("title")
@CONTENT
@click.option("--story", default="", help="Story folder under the content folder.")
@click.option("--source", default="", help="The outlet that published the article.")
@click.option("--url", default="", help="Link to the original article.")
def new(title: str, content: Path, story: str, source: str, url: str) -> None:
    """Create a new article file with its front matter filled in."""
    from .markup import safe_link
    from .scaffold import new_article, story_index

    if not title.strip():
        raise click.BadParameter("give the article a title", param_hint="TITLE")
    if url and not safe_link(url):
        raise click.BadParameter(f"{url!r} is not a web address: use an http:// or "
                                 "https:// link", param_hint="--url")
    index = story_index(content, story) if story.strip() else None
    had_index = index is not None and index.exists()
    try:
        path = new_article(content, title, story, source, url)
    except FileExistsError as exc:
        _fail(f"Error: {exc.filename} already exists; not overwritten.")
    if index is not None and not had_index and index.exists():
        click.echo(f"New story: describe it in {index}", err=True)
    click.echo(str(path))


@main.command()
@click.option("--output", "site_dir", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True, help="The built site to publish.")
@click.option("--remote", default="origin", show_default=True, help="Remote to push to.")
@click.option("--branch", default="gh-pages", show_default=True, help="Branch to publish on.")
@click.option("--message", "-m", default="Publish site", show_default=True,
              help="Commit message on the branch.")
@click.option("--no-push", is_flag=True, help="Commit to the branch but do not push.")
@CONTENT
def deploy(site_dir: Path, remote: str, branch: str, message: str, no_push: bool,
           content: Path) -> None:
    """Commit the built site to a branch (gh-pages) and push it, leaving your work tree alone."""
    from .deploy import DeployError, publishable, site_warnings
    from .deploy import deploy as run_deploy

    config = _config(content) if content.is_dir() else None
    try:
        publishable(site_dir)  # (refused before any warning about what it holds)
    except DeployError as exc:
        _fail(f"Error: {exc}")
    for said in site_warnings(site_dir, content, config.base_url if config else ""):
        click.echo(f"Warning: {said}", err=True)
    try:
        done = run_deploy(site_dir, branch, None if no_push else remote, message,
                          config.cname if config else "")
    except DeployError as exc:
        _fail(f"Error: {exc}")
    if done.note:
        click.echo(f"Note: {done.note}.", err=True)
    where = f" and pushed to {done.pushed_to}" if done.pushed_to else ""
    if done.unchanged:
        pushed = f"; pushed it to {done.pushed_to}" if done.pushed_to else ""
        click.echo(f"{done.branch} already holds this site ({done.commit[:10]}): "
                   f"no new commit{pushed}.")
    else:
        click.echo(f"Committed {site_dir}/ to {done.branch} ({done.commit[:10]}){where}.")
