"""Incremental builds (issue 6): the cache under .dateline/ may only ever save work.

Every test compares a cached build with a clean `--no-cache` build of the same content,
file by file and byte for byte, and counts what was really parsed, merged, compared and
rendered, so a cache that reuses too much (wrong output) or too little (no speed) fails.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jinja2 import Environment, FileSystemLoader

from generator import build as build_module
from generator import cache as cache_module
from generator import export as export_module
from generator import filedigest as filedigest_module
from generator import merge as merge_module
from generator import parallel
from generator import render as render_module
from generator import timelinejs as timelinejs_module
from generator.build import BuildFailed, build
from generator.cli import main
from generator.config import load_config
from generator.models import MergeReason

from .conftest import FIXTURES, REPO

GOLDEN = FIXTURES / "golden" / "site"
PACKAGE = Path(cache_module.__file__).parent
STORM = "content/storms/2025-03-02-wire-storm-landfall.txt"
ARTICLES = 4  # in the golden site


@pytest.fixture
def site(tmp_path) -> Path:
    """The golden site (two stories, merged events, notes), search off: its index is
    not byte-stable (generator/search.py)."""
    folder = tmp_path / "site"
    shutil.copytree(GOLDEN, folder, ignore=shutil.ignore_patterns(".dateline"))
    with (folder / "site.toml").open("a", encoding="utf-8") as file:
        file.write("\nsearch = false\n")
    return folder


@pytest.fixture
def work(monkeypatch) -> Counter:
    """Counts the work done: files parsed, merges run, events compared, pages rendered,
    events written into the exports (events.json, timelinejs.json)."""
    done: Counter = Counter()

    def counting(name, function):
        def wrapper(*args, **kwargs):
            done[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(build_module, "read_article", counting("parse", build_module.read_article))
    monkeypatch.setattr(merge_module, "merge", counting("merge", merge_module.merge))
    monkeypatch.setattr(build_module, "compare_event",
                        counting("compare", build_module.compare_event))
    monkeypatch.setattr(render_module, "render_page", counting("render", render_module.render_page))
    monkeypatch.setattr(export_module, "event_line", counting("export", export_module.event_line))
    monkeypatch.setattr(timelinejs_module, "timelinejs_event",
                        counting("export", timelinejs_module.timelinejs_event))
    return done


def run(site: Path, output: str = "public", cache: bool = True) -> Path:
    build(load_config(site / "content", output=site / output), cache=cache)
    return site / output


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_as_clean(site: Path, built: Path) -> None:
    clean = run(site, "clean", cache=False)
    assert files(built) == files(clean)
    shutil.rmtree(clean)


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_no_change_rebuild_does_no_work_and_is_byte_identical(site, work):
    run(site)
    pages = work["render"]
    assert pages > 5 and work["parse"] == ARTICLES and work["merge"] == 1
    assert work["export"] > 2
    work.clear()
    output = run(site)
    assert work == Counter(), "nothing should be parsed, merged, compared, rendered or exported"
    assert_same_as_clean(site, output)


def test_a_cache_restored_into_a_fresh_checkout_is_used(site, tmp_path, work):
    """What the Pages workflow does (actions/cache): a new clone, its files new on disk
    (other inodes and times), no site/, and the last run's .dateline/ put back."""
    run(site)
    fresh = tmp_path / "checkout"
    shutil.copytree(site, fresh, copy_function=shutil.copy,  # (new times, not copied)
                    ignore=shutil.ignore_patterns("public", ".dateline"))
    shutil.copytree(site / ".dateline", fresh / ".dateline")
    edit(fresh, "content/elections/2025-05-19-coastal-times-reyvik-wins.md",
         "corrections = [", 'tags = ["runoff"]\ncorrections = [')
    work.clear()
    output = run(fresh)
    assert work["parse"] == 1 and work["merge"] == 0
    assert_same_as_clean(fresh, output)


def test_the_pages_workflow_keeps_the_build_cache(site):
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    cached = steps[uses.index("actions/cache")]["with"]
    build_at = next(i for i, s in enumerate(steps) if "dateline build" in s.get("run", ""))
    assert cached["path"] == cache_module.FOLDER and uses.index("actions/cache") < build_at
    assert cached["restore-keys"] and cached["key"].startswith(cached["restore-keys"])
    assert {"actions/configure-pages", "actions/upload-pages-artifact"} <= set(uses)


def test_a_rebuild_that_reuses_the_merge_does_not_load_its_libraries(site):
    """scipy's sparse matrices take a third of a second or more to import, a large part
    of a rebuild with nothing to merge: only a merge that runs loads them."""
    run(site)
    edit(site, "content/elections/2025-05-19-coastal-times-reyvik-wins.md",
         "corrections = [", 'tags = ["runoff"]\ncorrections = [')
    script = ("import sys; from generator.cli import main; main(sys.argv[1:], "
              "standalone_mode=False); print(sorted(m for m in sys.modules if "
              "m.split('.')[0] == 'scipy'))")
    done = subprocess.run([sys.executable, "-c", script, "build", "--content",
                           str(site / "content"), "--output", str(site / "public"), "--quiet"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_one_edited_article_is_reparsed_and_the_output_matches_a_clean_build(site, work):
    pages = len([p for p in files(run(site)) if p.endswith(".html")])
    work.clear()
    edit(site, STORM, "landfall", "landfall near the harbour")
    output = run(site)
    assert work["parse"] == 1 and work["merge"] == 1
    assert work["compare"] == 1, "only the edited article's event is compared again"
    assert 0 < work["render"] < pages, "pages that do not show the event are reused"
    assert work["export"] == 2, "one line in each export, for the edited article's event"
    assert_same_as_clean(site, output)


def test_a_recorded_correction_or_tag_reuses_the_merge(site, work):
    """Fields the merge never reads (corrections, tags, links) do not re-run it; the
    corrected event is compared and rendered again and the output matches a clean build."""
    run(site)
    work.clear()
    rel = "content/elections/2025-05-19-coastal-times-reyvik-wins.md"
    edit(site, rel, 'corrections = [', 'tags = ["runoff"]\ncorrections = [{ date = 2025-05-21, '
         'text = "The runoff was on Sunday, not Saturday." }, ')
    output = run(site)
    assert work["parse"] == 1 and work["merge"] == 0 and work["compare"] == 1
    assert "The runoff was on Sunday" in (output / "corrections" / "index.html").read_text()
    assert_same_as_clean(site, output)


def test_a_new_title_reaches_every_page_that_shows_it(site, work):
    run(site)
    text = (site / STORM).read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.strip())
    edit(site, STORM, title, title + " (updated)")
    assert_same_as_clean(site, run(site))


def test_added_and_removed_articles(site):
    run(site)
    extra = site / "content" / "storms" / "2025-03-09-late-report.md"
    extra.write_text("---\ntitle: Storm clean-up begins\ndate: 2025-03-09\nsource: Wire\n"
                     "---\nCrews began clearing roads on Sunday.\n", encoding="utf-8")
    assert_same_as_clean(site, run(site))
    extra.unlink()
    assert_same_as_clean(site, run(site))


def test_a_changed_template_renders_every_page_again(site, work):
    run(site)
    theme = render_module.theme_dir()
    (site / "templates").mkdir()
    base = (theme / "base.html").read_text(encoding="utf-8")
    (site / "templates" / "base.html").write_text(base.replace("</body>", "<!-- x --></body>"),
                                                  encoding="utf-8")
    work.clear()
    output = run(site)
    assert work["parse"] == 0 and work["render"] > 5
    assert all(b"<!-- x -->" in data for rel, data in files(output).items()
               if rel.endswith(".html"))
    assert_same_as_clean(site, output)


def test_templates_and_style_edited_while_one_process_builds_again_and_again(site):
    """`serve` builds in one process: each rebuild renders with the templates as they are
    now (their compiled code is kept under .dateline/ between builds, and compiled again
    when a template changes), and an edited style sheet gets a new URL, so the browser's
    cached copy is not used."""
    config = load_config(site / "content", output=site / "public")
    build(config)
    assert list((site / ".dateline" / "templates").iterdir()), "compiled templates kept"
    theme = render_module.theme_dir()
    own = site / "templates"
    (own / "static").mkdir(parents=True)
    base = (theme / "base.html").read_text(encoding="utf-8")
    for mark, colour in (("first", "navy"), ("second", "maroon")):
        (own / "base.html").write_text(base.replace("</body>", f"<!-- {mark} --></body>"),
                                       encoding="utf-8")
        style = f"body {{ color: {colour}; }}\n".encode()
        (own / "static" / "style.css").write_bytes(style)
        build(config)
        page = (site / "public" / "index.html").read_text(encoding="utf-8")
        version = hashlib.sha256(style).hexdigest()[:10]
        assert f"<!-- {mark} -->" in page and f"style.css?v={version}" in page
        assert (site / "public" / "static" / "style.css").read_bytes() == style
    assert_same_as_clean(site, site / "public")


def test_compiled_templates_are_compiled_again_for_another_version_of_the_render_code(
        tmp_path):
    """jinja2 checks a kept template's source only; what compiles it (the environment's
    options, its filters, jinja2 itself) is the version the cache also checks."""
    (tmp_path / "page.html").write_text("{{ text }}", encoding="utf-8")
    kept = tmp_path / "kept"

    def render(escape: bool, version: str) -> str:
        env = Environment(loader=FileSystemLoader(str(tmp_path)), autoescape=escape,
                          bytecode_cache=render_module._compiled_templates(kept, version))
        return env.get_template("page.html").render(text="<b>")

    assert render(True, "one") == "&lt;b&gt;"
    assert render(False, "one") == "&lt;b&gt;", "the same version reuses the compiled code"
    assert render(False, "two") == "<b>", "another version compiles it again"


def test_a_changed_setting_renders_again_and_merge_settings_merge_again(site, work):
    run(site)
    edit(site, "site.toml", "Desk timeline", "Another title")
    work.clear()
    assert b"Another title" in (run(site) / "index.html").read_bytes()
    assert work["render"] > 5 and work["merge"] == 0
    with (site / "site.toml").open("a", encoding="utf-8") as file:
        file.write("[merge]\nthreshold = 0.99\n")
    work.clear()
    output = run(site)
    assert work["merge"] == 1
    assert_same_as_clean(site, output)


def test_merge_evidence_of_cached_articles_is_not_worked_out_again(site, work, monkeypatch):
    """When the merge's row cache cannot be used (other merge settings), every article's
    evidence comes from its cached parse, none is worked out from the article again."""
    from generator import evidence as evidence_module
    from generator import similarity

    run(site)
    worked_out = []
    monkeypatch.setattr(similarity, "evidence", lambda *a: worked_out.append(a) or
                        evidence_module.evidence(*a))
    with (site / "site.toml").open("a", encoding="utf-8") as file:
        file.write("[merge]\nthreshold = 0.98\n")
    work.clear()
    output = run(site)
    assert work["parse"] == 0 and work["merge"] == 1 and worked_out == []
    assert_same_as_clean(site, output)


def test_an_edit_reads_no_evidence_of_the_unchanged_articles(site, work, monkeypatch):
    """The merge takes the unchanged articles' rows from its row cache: their evidence,
    kept apart in the parse cache, is not read (it was, at a quarter of a second per
    10,000 articles); with other merge settings it is, all at once."""
    fetched = []
    real = cache_module.BuildCache.stored_evidence
    monkeypatch.setattr(cache_module.BuildCache, "stored_evidence",
                        lambda self, wanted: fetched.append(sorted(wanted)) or real(self, wanted))
    run(site)
    edit(site, STORM, "landfall", "landfall near the harbour")
    work.clear()
    output = run(site)
    assert work["parse"] == 1 and work["merge"] == 1 and fetched == []
    assert_same_as_clean(site, output)
    with (site / "site.toml").open("a", encoding="utf-8") as file:
        file.write("[merge]\nthreshold = 0.98\n")
    output = run(site)
    assert len(fetched) == 1 and len(fetched[0]) == ARTICLES
    assert_same_as_clean(site, output)


def test_evidence_lost_from_the_cache_is_worked_out_from_the_article_not_its_view(
        site, monkeypatch):
    """Evidence files gone (a build stopped between the cache's files, a damaged
    .dateline/) while the parsed articles stay: a merge that needs the evidence works it
    out from each article as parsed (the merge's view lacks the dates it reads), so the
    output is still a clean build's."""
    run(site)
    for shard in (site / ".dateline").glob("evidence-*.pickle"):
        shard.unlink()
    with (site / "site.toml").open("a", encoding="utf-8") as file:
        file.write("[merge]\nthreshold = 0.97\n")  # (the rows kept are for other settings)
    from generator import evidence as evidence_module
    seen = []
    real = evidence_module.evidence
    monkeypatch.setattr(build_module, "evidence",
                        lambda article, *a: seen.append(article.dates != ()) or real(article, *a))
    output = run(site)
    assert len(seen) == ARTICLES and all(seen), "from the articles, with their dates"
    assert_same_as_clean(site, output)


def test_a_new_generator_version_misses_everything(site, work, monkeypatch):
    run(site)
    real = cache_module.code_version
    monkeypatch.setattr(cache_module, "code_version", lambda *names: "new" + real(*names))
    work.clear()
    output = run(site)
    assert work["parse"] == ARTICLES and work["merge"] == 1 and work["compare"] >= 1
    assert work["render"] > 5
    assert_same_as_clean(site, output)


def test_code_version_follows_imports_within_the_package():
    assert cache_module.code_version("parse") != cache_module.code_version("merge")
    followed = cache_module.code_version.__wrapped__  # the walk itself, uncached
    assert followed("parse") == cache_module.code_version("parse")


def test_the_import_pattern_finds_what_the_syntax_tree_finds():
    """code_version reads imports with a pattern; here, for every module of the package
    and a few shapes it has not used yet, against Python's own parser."""
    samples = [p.read_text(encoding="utf-8") for p in sorted(PACKAGE.glob("*.py"))] + [
        "from .a.b import c\n", "from . import (d,\n    e as f)\n", "def g():\n    from .h import i\n"]
    for source in samples:
        expected = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                expected |= {node.module.split(".")[0]} if node.module else \
                    {alias.name for alias in node.names}
        assert set(cache_module.package_imports(source)) == expected


def test_a_new_day_keeps_the_parsed_articles_and_judges_their_dates_again(
        site, work, monkeypatch):
    """The far-future warning moves with the clock; the parse cache does not (the first
    build of each day parsed every file again while the day was part of its keys)."""
    run(site)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # 1970: every date is "in the future"
    work.clear()
    report = build(load_config(site / "content", output=site / "public")).report
    assert work["parse"] == 0
    future = [p for p in report.warnings if "more than a year in the future" in p.message]
    assert len({p.path for p in future}) == ARTICLES
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    report = build(load_config(site / "content", output=site / "public")).report
    assert work["parse"] == 0
    assert not any("future" in p.message for p in report.warnings)


def test_drafts_and_trusted_html_are_respected(site):
    run(site)
    draft = site / "content" / "storms" / "2025-03-04-draft.md"
    draft.write_text("---\ntitle: Draft note\ndate: 2025-03-04\nsource: Wire\ndraft: true\n"
                     "---\nNot yet.\n", encoding="utf-8")
    output = run(site)
    assert b"Draft note" not in (output / "events.json").read_bytes()
    build(load_config(site / "content", output=output, drafts=True))
    assert b"Draft note" in (output / "events.json").read_bytes()


def test_a_corrupt_or_foreign_cache_is_ignored(site, work):
    run(site)
    for path in sorted((site / ".dateline").rglob("*")):
        if path.is_file():  # (the stores, and the merge's rows: rowcache.py)
            path.write_bytes(b"\x80\x05 not a cache" if path.name[0] in "am" else b"")
    work.clear()
    output = run(site)
    assert work["parse"] == ARTICLES and work["render"] > 5
    assert_same_as_clean(site, output)


def test_a_page_changed_in_the_output_by_hand_is_rendered_again(site, work):
    output = run(site)
    (output / "index.html").write_bytes(b"edited by hand")
    work.clear()
    run(site)
    assert work["render"] == 1
    assert_same_as_clean(site, output)


def test_no_cache_neither_reads_nor_writes(site, work):
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--content", str(site / "content"), "--output",
                                  str(site / "public"), "--no-cache", "--quiet"])
    assert result.exit_code == 0, result.output
    assert not (site / ".dateline").exists()
    run(site)
    work.clear()
    runner.invoke(main, ["build", "--content", str(site / "content"), "--output",
                         str(site / "public"), "--no-cache", "--quiet"])
    assert work["parse"] == ARTICLES and work["render"] > 5


def test_deleting_the_cache_is_safe(site):
    run(site)
    shutil.rmtree(site / ".dateline")
    assert_same_as_clean(site, run(site))


def test_problems_come_back_from_cache_and_from_forked_workers(site, monkeypatch):
    """ContentError is a frozen exception: plain pickle cannot rebuild it, so parallel
    parsing once crashed on the first warning; the cache carries it both ways."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    monkeypatch.setenv("DATELINE_JOBS", "2")
    (site / "content" / "storms" / "nosource.md").write_text(
        "---\ntitle: Storm shelters open\ndate: 2025-03-02\n---\nShelters opened.\n",
        encoding="utf-8")
    first = build(load_config(site / "content", output=site / "public")).report.warnings
    again = build(load_config(site / "content", output=site / "public")).report.warnings
    assert any(p.path == "storms/nosource.md" for p in first)
    assert first == again


def test_notes_do_not_read_the_merge_reason(site):
    """The compare cache leaves the merge reason (a corpus-wide score) out of its key."""
    events = build(load_config(site / "content", output=site / "public"), cache=False).site.events
    assert any(e.notes for e in events) and any(e.merge for e in events)
    for event in events:
        bare = replace(event, notes=(), merge=None)
        assert build_module.compare_event(bare) == build_module.compare_event(
            replace(event, notes=(), merge=MergeReason(0.123, ("x",), ("y",), 99, True)))


def test_a_failed_build_keeps_what_it_parsed(site, work):
    broken = site / "content" / "storms" / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        run(site)
    broken.unlink()
    work.clear()
    output = run(site)
    assert work["parse"] == 0
    assert_same_as_clean(site, output)


def test_one_shard_holding_old_and_new_entries_keeps_both(site, work, monkeypatch):
    """With one shard, an edit's new entry and the unchanged articles' old ones share it:
    the shard is let go after reading, read again to be rewritten, and must keep both.
    Workers forked for parsing and scoring; a third build does no work at all."""
    monkeypatch.setattr(cache_module, "SHARDS", 1)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    monkeypatch.setenv("DATELINE_JOBS", "2")
    run(site)
    edit(site, STORM, "landfall", "landfall near the harbour")
    work.clear()
    run(site)
    assert work["parse"] == 1
    work.clear()
    output = run(site)
    assert work == Counter(), "every entry, old and new, was kept"
    assert len(list((site / ".dateline").glob("articles-*.pickle"))) == 1
    assert_same_as_clean(site, output)


def test_the_cache_leaves_no_temporary_file_behind(site, monkeypatch):
    """New entries and merge evidence wait in unnamed temporary files in the site folder;
    after a build, and after a failed one, none is left and none is open."""
    import os

    run(site)
    (site / "content" / "storms" / "broken.md").write_text("---\ntitle: [x\n---\nT.\n")
    with pytest.raises(BuildFailed):
        run(site)
    leftovers = [p for p in site.rglob("*") if p.name.startswith("tmp")]
    assert leftovers == []
    if os.path.isdir("/proc/self/fd"):  # Linux: no descriptor still points into the site
        assert not [f for f in _open_files() if str(site) in f]


def _open_files() -> list[str]:
    import contextlib
    import os

    found = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # (the descriptor listdir itself used)
            found.append(os.readlink(f"/proc/self/fd/{fd}"))
    return found


def test_a_rebuild_patches_the_output_and_leaves_unchanged_pages_untouched(site, work):
    """A rebuild writes only what changed into the old output (issue 6: no re-linking and
    deleting every file); a page the new site lacks goes, with the folders it emptied."""
    output = run(site)
    before = {rel: (data, (output / rel).stat().st_ino) for rel, data in files(output).items()
              if rel.endswith(".html")}
    stray = output / "events" / "gone-event" / "index.html"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"a page of an event since deleted")
    edit(site, STORM, "landfall", "landfall near the harbour")
    work.clear()
    run(site)
    assert not stray.parent.exists(), "files the new site lacks are deleted, folders too"
    pages = [rel for rel in files(output) if rel.endswith(".html")]
    kept = [rel for rel in pages if rel in before and (output / rel).stat().st_ino == before[rel][1]]
    assert 0 < len(kept) == len(pages) - work["render"], \
        "every page not rendered again is left in place, not copied or written again"
    assert_same_as_clean(site, output)


def test_an_output_holding_a_link_is_rebuilt_whole_and_never_written_through(site, tmp_path):
    output = run(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not the site's", encoding="utf-8")
    events = next(p for p in (output / "events").iterdir() if p.is_dir())
    shutil.rmtree(events)
    events.symlink_to(elsewhere, target_is_directory=True)
    run(site)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
    assert not events.is_symlink()
    assert_same_as_clean(site, output)


def test_an_edit_renders_again_only_the_pages_that_show_the_edited_event(site, monkeypatch):
    """The other event pages of the story hold only its title and the links next to them,
    so they are kept, not rendered again with every edit to their story."""
    run(site)
    rendered: list[str] = []
    real = render_module.render_page
    monkeypatch.setattr(render_module, "render_page",
                        lambda env, page, config: rendered.append(page.path) or real(env, page, config))
    rel = "content/elections/2025-05-25-northern-herald-inauguration.md"
    text = (site / rel).read_text(encoding="utf-8")
    (site / rel).write_text(text + "\nThe ceremony ran an hour late.\n", encoding="utf-8")
    output = run(site)
    event_pages = [p for p in rendered if p.startswith("events/")]
    assert event_pages == ["events/2025-05-25-reyvik-sworn-in-promises-cabinet-within-a-week/"
                          "index.html"], rendered
    assert_same_as_clean(site, output)


def test_the_output_folder_however_spelled_is_the_same_output(site, work):
    run(site)
    work.clear()
    build(load_config(site / "content", output=site / "content" / ".." / "public"))
    assert work["render"] == 0


@pytest.mark.parametrize("links", [True, False])
def test_a_staged_rebuild_links_or_copies_kept_pages_and_keeps_them_again(site, work,
                                                                          monkeypatch, links):
    """A rebuild staged whole (as with search on) brings the unchanged pages over by hard
    link, or by copy where links fail; either way the next build knows them as its own."""
    run(site)
    whole = build_module.SiteWriter
    monkeypatch.setattr(build_module, "SiteWriter", lambda output, patch=False: whole(output))
    if not links:
        def no_links(*args):
            raise OSError("links unsupported here")
        monkeypatch.setattr(cache_module.os, "link", no_links)
    edit(site, STORM, "landfall", "landfall near the harbour")
    work.clear()
    output = run(site)
    assert 0 < work["render"] < 10
    assert_same_as_clean(site, output)
    work.clear()
    run(site)
    assert work["render"] == 0, "kept, linked and copied pages are all known to the next build"


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The article files whose bytes a build read to digest them."""
    seen: list[str] = []
    real = filedigest_module.hashlib.sha256

    class Counting:
        @staticmethod
        def sha256(data: bytes):
            seen.append(data[:40].decode("utf-8", "replace"))
            return real(data)

    monkeypatch.setattr(filedigest_module, "hashlib", Counting)
    return seen


def test_settled_unchanged_files_are_not_read_again_to_find_the_edit(site, hashed,
                                                                     monkeypatch):
    monkeypatch.setattr(filedigest_module, "SETTLED_NS", -10**18)  # (as if written long ago)
    run(site)
    assert len(hashed) == ARTICLES
    hashed.clear()
    run(site)
    assert hashed == [], "a file whose status is unchanged is not read to digest it"
    edit(site, STORM, "landfall", "landfall near the harbour")
    output = run(site)
    assert len(hashed) == 1
    assert_same_as_clean(site, output)


def test_a_rebuild_asks_each_file_its_status_once(site, monkeypatch):
    """The listing's status of each file is the one the parse cache compares (asking the
    system again for each cost a tenth of a second per 10,000 articles); only a file
    parsed again is asked again, to see that it did not change while it was parsed."""
    monkeypatch.setattr(filedigest_module, "SETTLED_NS", -10**18)
    asked: list[str] = []
    real = filedigest_module.os.stat
    monkeypatch.setattr(filedigest_module, "os", type("Os", (), {
        "stat": staticmethod(lambda name: asked.append(Path(name).name) or real(name)),
        "path": os.path}))
    run(site)
    assert len(asked) == ARTICLES, "each parsed file asked again, after its parse"
    asked.clear()
    run(site)
    assert asked == []
    edit(site, STORM, "landfall", "landfall near the harbour")
    output = run(site)
    assert asked == [Path(STORM).name]
    assert_same_as_clean(site, output)


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(site, hashed,
                                                                       monkeypatch):
    """`cp -p`, `touch -d` or a tool that restores times: the change time still moves."""
    monkeypatch.setattr(filedigest_module, "SETTLED_NS", -10**18)
    run(site)
    path = site / STORM
    before = path.stat()
    edit(site, STORM, "landfall", "landfell")  # (same length)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    output = run(site)
    assert "landfell" in (output / "events.json").read_text(encoding="utf-8") or \
        any("landfell" in p.read_text(encoding="utf-8") for p in output.rglob("*.html"))
    assert_same_as_clean(site, output)


def test_files_written_just_before_a_build_are_read_again_next_time(site, hashed):
    """A second write in the clock tick of the first could leave the status unchanged, so
    a file this fresh is not trusted by its status (git's "racy" entries)."""
    run(site)
    hashed.clear()
    run(site)
    assert len(hashed) == ARTICLES  # (the fixture's files were all written just now)


def test_serve_recalls_parsed_articles_and_the_disk_cache_still_keeps_them(site, work,
                                                                           monkeypatch):
    """A process that builds again and again (serve) takes unchanged articles from the
    last build's memory, not from the cache's files; an edit is still parsed, the
    output is still a clean build's, and the recalled entries stay on disk for the next
    command-line build (one shard, so the edit's shard is the one rewritten)."""
    monkeypatch.setattr(cache_module, "SHARDS", 1)
    config = load_config(site / "content", output=site / "public")
    recall = cache_module.Recall()
    build(config, recall=recall)
    assert len(recall.parsed) == ARTICLES
    loaded = []
    real_load = cache_module.BuildCache._load
    monkeypatch.setattr(cache_module.BuildCache, "_load", staticmethod(
        lambda store, key, load: loaded.append(store.name) or real_load(store, key, load)))
    edit(site, STORM, "landfall", "landfall near the harbour")
    work.clear()
    build(config, recall=recall)
    assert work["parse"] == 1
    assert loaded.count("articles") == 1, "only the edited one was looked up; the rest recalled"
    assert_same_as_clean(site, site / "public")
    work.clear()
    run(site)
    assert work == Counter(), "the recalled articles' entries were kept in the rewritten shard"


def test_serve_recalls_the_last_merges_scores_while_their_cache_entry_is_its_own(site,
                                                                                  monkeypatch):
    """The merge after an edit starts from the last merge's scoring state: `serve` keeps
    it in memory instead of reading it back, unless another build rewrote it since, and
    the articles as the merge saw them; the output is a clean build's either way."""
    config = load_config(site / "content", output=site / "public")
    recall = cache_module.Recall()
    build(config, recall=recall)
    assert recall.scores is not None
    loaded = []
    real_load = cache_module.BuildCache._load
    monkeypatch.setattr(cache_module.BuildCache, "_load", staticmethod(
        lambda store, key, load: loaded.append(store.name) or real_load(store, key, load)))
    made = []
    real_view = build_module.merge_view
    monkeypatch.setattr(build_module, "merge_view", lambda a: made.append(a.path) or real_view(a))
    edit(site, STORM, "landfall", "landfall near the harbour")
    build(config, recall=recall)
    assert "scores" not in loaded, "recalled, not read back"
    assert set(made) == {STORM.removeprefix("content/")}, "the others' views are recalled"
    assert_same_as_clean(site, site / "public")
    edit(site, STORM, "near the harbour", "near the old harbour")
    run(site)  # (a command-line build rewrites the scores' entry)
    edit(site, STORM, "near the old harbour", "by the harbour")
    loaded.clear()
    build(config, recall=recall)
    assert "scores" in loaded, "another build's state is read from its entry"
    assert_same_as_clean(site, site / "public")


def test_serve_forgets_what_it_recalled_when_the_cache_is_deleted(site, work):
    """Deleting .dateline/ while serve runs makes its next build a clean one, which
    writes the parse cache again for the next command-line build."""
    config = load_config(site / "content", output=site / "public")
    recall = cache_module.Recall()
    build(config, recall=recall)
    shutil.rmtree(site / ".dateline")
    work.clear()
    build(config, recall=recall)
    assert work["parse"] == ARTICLES, "nothing was recalled from a deleted cache"
    work.clear()
    run(site)
    assert work["parse"] == 0, "the parse cache was written again"


def test_serve_recalls_nothing_of_a_site_larger_than_its_bound(site, work, monkeypatch):
    """Above RECALLED_MOST articles a rebuild reads every article from the disk cache, as
    the command line does: part of a large site saved little and cost memory."""
    monkeypatch.setattr(cache_module, "RECALLED_MOST", ARTICLES - 1)
    recall = cache_module.Recall()
    config = load_config(site / "content", output=site / "public")
    build(config, recall=recall)
    assert recall.parsed == {}
    work.clear()
    build(config, recall=recall)
    assert work["parse"] == 0 and recall.parsed == {}, "all came from the disk cache"
    monkeypatch.setattr(cache_module, "RECALLED_MOST", ARTICLES)
    build(config, recall=recall)
    assert len(recall.parsed) == ARTICLES


def test_an_edited_register_compares_again_and_matches_a_clean_build(site, work):
    """Notes are keyed by the register as the compare read it: a new holder in the
    register is new notes (and the office holders page), an unchanged one reuses them."""
    register = site / "content" / "_register.yml"
    register.write_text("- office: Valdora President\n  holder: Ilse Marren\n"
                        "  from: 2019-05-20\n  to: 2025-05-24\n", encoding="utf-8")
    run(site)
    work.clear()
    run(site)
    assert work["compare"] == 0
    with register.open("a", encoding="utf-8") as file:
        file.write("- office: Valdora President\n  holder: Tomas Reyvik\n  from: 2025-05-25\n")
    output = run(site)
    assert work["compare"] > 0
    assert "Tomas Reyvik" in (output / "register" / "index.html").read_text("utf-8")
    assert_same_as_clean(site, output)


def test_serve_and_build_share_the_pages_but_the_404_page(site, work):
    """`serve`'s builds are previews, whose 404 page links from "/": switching between
    `serve` and `build` rendered every page again, as the preview flag keyed them all."""
    config = load_config(site / "content", output=site / "public", base_url="")
    build(config)
    work.clear()
    build(replace(config, preview=True))
    assert work["render"] == 1
    assert 'href="/static/' in (site / "public" / "404.html").read_text("utf-8")
    work.clear()
    build(config)
    assert work["render"] == 1
    clean = site / "clean"
    build(replace(config, output=clean), cache=False)
    assert files(site / "public") == files(clean)
