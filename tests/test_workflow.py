"""The author's loop: new, check, serve, deploy — driven as a user would."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import yaml

from generator import cache as cache_module
from generator import serve as serve_module
from generator.build import build
from generator.cli import main
from generator.config import load_config
from generator.scaffold import new_article
from generator.serve import serve

from .test_build import article


def test_new_creates_a_dated_article_and_refuses_to_overwrite(runner, make_site):
    site = make_site({})
    content = str(site / "content")
    args = ["new", "Storm hits the coast", "--content", content, "--story", "Storms",
            "--source", "Coastwire", "--url", "https://coastwire.example/storm"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    path = site / "content" / "storms" / f"{dt.date.today().isoformat()}-storm-hits-the-coast.md"
    assert result.stdout.strip() == str(path)
    index = site / "content" / "storms" / "_index.md"
    assert f"New story: describe it in {index}" in result.stderr
    assert yaml.safe_load(index.read_text().split("---")[1]) == {"title": "Storms"}
    text = path.read_text()
    assert "title: Storm hits the coast" in text and "source: Coastwire" in text
    again = runner.invoke(main, args)
    assert again.exit_code == 1
    assert "already exists" in again.output
    check = runner.invoke(main, ["check", "--content", content])
    assert check.exit_code == 0, check.output
    assert "OK: 1 article, 1 event, 1 warning(s)." in check.stdout  # (its text is to come)
    assert "warning: the article has a title but no text yet" in check.output
    built = runner.invoke(main, ["build", "--content", content, "--no-search",
                                 "--output", str(site / "site")])  # (not the repo's site/)
    assert built.exit_code == 0, built.output
    assert ": 1 article, 1 event, 0 notes, " in built.stdout


def test_new_article_front_matter_survives_awkward_titles(tmp_path):
    path = new_article(tmp_path, 'Minister: "We will not resign" #2', today=dt.date(2025, 1, 2))
    assert path.name == "2025-01-02-minister-we-will-not-resign-2.md"
    front = yaml.safe_load(path.read_text().split("---\n")[1])
    assert front == {"title": 'Minister: "We will not resign" #2', "date": dt.date(2025, 1, 2),
                     "source": ""}, "a source line to fill in"


def test_new_articles_not_yet_written_stay_apart(runner, make_site):
    """Several `new` files before their text is written are not one event (a placeholder
    text, the same in each, merged them all); a bad --url is refused at once."""
    site = make_site({})
    content = str(site / "content")
    for title, story in (("Storm hits the coast", "Storms"), ("Senate passes budget", "Votes"),
                         ("Ferry strike begins", "Strikes")):
        assert runner.invoke(main, ["new", title, "--content", content, "--story", story,
                                    "--source", "Desk"]).exit_code == 0
    check = runner.invoke(main, ["check", "--content", content])
    assert "OK: 3 articles, 3 events" in check.stdout, check.output
    assert check.output.count("warning: the article has a title but no text yet (write the "
                              "report below the front matter, or add 'draft: true'") == 3
    bad = runner.invoke(main, ["new", "Scripted", "--content", content,
                               "--url", "javascript:alert(1)"])
    assert bad.exit_code == 2 and "not a web address" in bad.output


def test_check_strict_fails_on_warnings(runner, make_site):
    site = make_site({"a.md": "---\ntitle: T\ndate: 2024-11-13\n---\nNo source given.\n"})
    content = str(site / "content")
    assert runner.invoke(main, ["check", "--content", content]).exit_code == 0
    strict = runner.invoke(main, ["check", "--content", content, "--strict"])
    assert strict.exit_code == 1
    assert "a.md: warning: no source" in strict.output


def test_every_command_has_help(runner):
    for command in ("build", "check", "serve", "new", "deploy"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def serving(site, echo=lambda *_: None, output: str = "public"):
    """`dateline serve` on the site in a thread, on a free port: (base URL, BuildState);
    as the command does it, without site.toml's base_url."""
    config = load_config(site / "content", output=site / output, search=False, base_url="")
    stop, ready = threading.Event(), {}
    thread = threading.Thread(target=serve, daemon=True, kwargs={
        "config": config, "port": 0, "echo": echo, "stop": stop,
        "on_ready": lambda port, state: ready.update(port=port, state=state)})
    thread.start()
    try:
        assert wait_for(lambda: "port" in ready)
        yield f"http://127.0.0.1:{ready['port']}/", ready["state"]
    finally:
        stop.set()
        thread.join(timeout=10)


STORM = article("Storm Elra makes landfall", "2024-11-13", "Coastwire",
                "Storm Elra hit Port Alden with 140 km/h winds.")


def add_a_report_and_see_it_served(site, base: str, state) -> None:
    """Saves a second report while serve runs, and waits until the site shows it."""
    version = state.version
    (site / "content" / "b.md").write_text(article(
        "Parliament approves budget", "2024-11-20", "Kyiv Courier",
        "Lawmakers in Kyiv approved the 2025 budget by 257 votes.", "b"), encoding="utf-8")
    assert wait_for(lambda: state.version > version), "no rebuild after a change"
    assert "Parliament approves budget" in fetch(base)


def test_serve_rebuilds_on_change_and_shows_errors(make_site):
    site = make_site({"a.md": STORM})
    said: list[str] = []
    with serving(site, said.append) as (base, state):
        home = fetch(base)
        assert "Storm Elra" in home and "/__dateline/reload.js" in home
        assert re.match(r"Built .*public/: 1 article, 1 event, 0 notes, \d+ files in [\d.]+s\.$",
                        said[0]), said
        add_a_report_and_see_it_served(site, base, state)
        with pytest.raises(urllib.error.HTTPError) as missing:
            fetch(base + "events/no-such-event/")
        assert missing.value.code == 404
        assert "Page not found" in missing.value.read().decode("utf-8"), "the site's 404.html"
        (site / "content" / "bad.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
        assert wait_for(lambda: state.errors), "a broken file should be reported"
        assert "bad.md:2" in fetch(base + "__dateline/status")
        assert "Parliament approves budget" in fetch(base)  # the last good site is still served


def test_serve_shows_a_styled_404_page_with_working_links_in_any_folder(make_site):
    """The 404 page answers a missing page in any folder; its style sheet and links
    must hold from there (relative ones resolved under /nope/ and were dead)."""
    site = make_site({"a.md": STORM})
    with serving(site) as (base, _):
        for missing in ("nope/", "events/no-such-event/", "a/b/c.html"):
            with pytest.raises(urllib.error.HTTPError) as answer:
                fetch(base + missing)
            assert answer.value.code == 404
            page, here = answer.value.read().decode("utf-8"), base + missing
            sheet = re.search(r'<link rel="stylesheet" href="([^"]*)"', page).group(1)
            assert "body" in fetch(urllib.parse.urljoin(here, sheet)), "the style sheet"
            home = re.search(r'<a href="([^"]*)">timeline</a>', page).group(1)
            assert "Storm Elra" in fetch(urllib.parse.urljoin(here, home)), "the timeline"


def test_serve_keeps_every_link_local_when_site_toml_has_an_address(make_site):
    """site.toml's base_url is the published address; the pages serve makes, the first
    and every rebuild, link to 127.0.0.1 (the 404 page's style sheet included)."""
    site = make_site({"a.md": STORM}, config='base_url = "https://desk.example.org/timeline/"\n')
    with serving(site) as (base, state):
        add_a_report_and_see_it_served(site, base, state)
        missing = (site / "public" / "404.html").read_text(encoding="utf-8")
        assert "desk.example.org" not in missing and 'href="/static/style.css' in missing


def test_serve_prints_the_warnings_a_save_causes(make_site):
    """Warnings reach the terminal: all after the first build, then those a save adds
    (a misspelt key was silently ignored while serving)."""
    site = make_site({"a.md": STORM.replace("source:", "sorce:")})
    said: list[str] = []
    with serving(site, said.append) as (_, state):
        assert any("a.md:4: warning: unknown front-matter key 'sorce'" in s for s in said), said
        first = len(said)
        version = state.version
        (site / "content" / "b.md").write_text(article(
            "Parliament approves budget", "2024-11-20", "Kyiv Courier", "Lawmakers met.", "b"
        ).replace("title:", "titel:"), encoding="utf-8")
        assert wait_for(lambda: state.version > version)
        later = said[first:]
        assert any("b.md:2: warning: unknown front-matter key 'titel'" in s for s in later)
        assert not any("a.md" in s for s in later), "the old warning is not repeated"


def test_serve_over_a_built_site_says_it_still_serves_it_and_caps_the_warnings(make_site):
    site = make_site({f"r{k:02}.md": article(f"Report {k}", "2024-11-13", "Desk", f"Text {k}.",
                                             f"r{k}").replace("source:", "sorce:")
                      for k in range(25)})
    config = load_config(site / "content", output=site / "public", search=False)
    build(config)
    (site / "content" / "bad.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
    said: list[str] = []
    with serving(site, said.append):
        pass
    assert said[:20] == [s for s in said if ": warning: " in s], "the first 20 warnings"
    assert said[20] == "... and 30 more warning(s): `dateline check` lists them all"  # (2 each)
    assert "still serving the previous site" in said[21], "public/ is there to serve"


def test_serve_sees_a_new_templates_folder_and_a_replaced_site_toml(make_site, tmp_path):
    """Editors that save by replacing the file (`sed -i`, some IDEs), and a templates/
    made while serving: each save rebuilds (the second site.toml save was missed)."""
    site = make_site({"a.md": STORM}, config='title = "Coastal desk"\n')
    with serving(site) as (base, state):
        for title in ("Coastal desk (test)", "Coastal desk (again)"):
            version = state.version
            draft = tmp_path / "site.toml.new"
            draft.write_text(f'title = "{title}"\n', encoding="utf-8")
            os.replace(draft, site / "site.toml")
            assert wait_for(lambda v=version: state.version > v), f"no rebuild for {title!r}"
            assert title in fetch(base)
        version = state.version
        (site / "templates").mkdir()
        (site / "templates" / "404.html").write_text("{{ nosuch.thing }}\n", encoding="utf-8")
        assert wait_for(lambda: state.version > version and state.errors), "templates/ unseen"
        assert "404.html:1: template error" in fetch(base + "__dateline/status")
        version = state.version
        (site / "templates" / "404.html").unlink()
        assert wait_for(lambda: state.version > version and not state.errors), "fix unseen"


def test_serve_starts_on_broken_content_and_recovers(make_site):
    """A first build that fails still serves a page saying why, which reloads once fixed."""
    site = make_site({"a.md": "---\ntitle: [Storm Elra\n---\nText.\n"})
    said: list[str] = []
    with serving(site, said.append) as (base, state):
        with pytest.raises(urllib.error.HTTPError) as failed:
            fetch(base)
        assert failed.value.code == 503
        page = failed.value.read().decode("utf-8")
        assert "Dateline build failed" in page and "/__dateline/reload.js" in page
        assert "a.md:2:" in page, "the errors are on the page itself (without script too)"
        assert "nothing to serve until it builds" in said[0] and "previous" not in said[0]
        assert "a.md:2" in fetch(base + "__dateline/status")
        version = state.version
        (site / "content" / "a.md").write_text(article(
            "Storm Elra makes landfall", "2024-11-13", "Coastwire", "Storm Elra hit."),
            encoding="utf-8")
        assert wait_for(lambda: state.version > version), "no rebuild after the fix"
        assert "Storm Elra makes landfall" in fetch(base)


@pytest.fixture
def build_pids(monkeypatch, tmp_path):
    """The process each of serve's builds ran in, in order (a file: forked builds
    write to it too); a build of a site with a `die.md` ends its process outright."""
    pids, real = tmp_path / "pids", serve_module.build

    def recording(config, **options):
        with pids.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")
        if (config.content / "die.md").exists() and \
                multiprocessing.current_process().name == "dateline build":
            os._exit(3)  # (only ever a forked build's process)
        return real(config, **options)

    monkeypatch.setattr(serve_module, "build", recording)
    return lambda: [int(line) for line in pids.read_text(encoding="utf-8").split()]


def test_serve_keeps_a_small_sites_builds_in_its_own_process(make_site, build_pids):
    """The first build runs in a process of its own; once the site is known to be small
    enough for serve to keep its articles between builds, it builds in its own."""
    site = make_site({"a.md": STORM})
    with serving(site) as (base, state):
        add_a_report_and_see_it_served(site, base, state)
    first, *later = build_pids()
    assert first != os.getpid() and later and set(later) == {os.getpid()}
    assert state.recall.parsed, "the small site's articles are kept for the next build"


def test_serve_builds_in_its_own_process_where_processes_cannot_fork(make_site, build_pids,
                                                                     monkeypatch):
    monkeypatch.delattr(os, "fork")  # (Windows)
    site = make_site({"a.md": STORM})
    with serving(site) as (base, state):
        add_a_report_and_see_it_served(site, base, state)
    assert set(build_pids()) == {os.getpid()}


def test_serve_builds_a_large_site_apart_and_survives_a_build_that_dies(make_site, build_pids,
                                                                       monkeypatch):
    """A site above the bound (cache.RECALLED_MOST, 1 here: its files count, a draft
    too) is built in a forked process every time, which hands back all the build's
    memory when it ends; a build whose process dies is reported on the page and the last
    good site is still served."""
    monkeypatch.setattr(cache_module, "RECALLED_MOST", 1)
    site = make_site({"a.md": STORM,
                      "draft.md": "---\ntitle: Port closes\ndate: 2024-11-12\nsource: X\n"
                                  "draft: true\n---\nThe port closed.\n"})
    with serving(site) as (base, state):
        add_a_report_and_see_it_served(site, base, state)
        (site / "content" / "die.md").write_text(article(
            "Port reopens", "2024-11-21", "Coastwire", "The port reopened.", "c"),
            encoding="utf-8")
        assert wait_for(lambda: state.errors), "a build that died should be reported"
        assert "exit code 3" in fetch(base + "__dateline/status")
        assert "Parliament approves budget" in fetch(base)
    pids = build_pids()
    assert os.getpid() not in pids and len(set(pids)) == len(pids) >= 3, "each build forked"
    assert not state.recall.parsed


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def author_repo(make_site, runner, tmp_path):
    site = make_site({"a.md": article("First event", "2024-11-13", "X", "First text.")},
                     config='cname = "timeline.example.org"\n')
    git(site, "init", "-q", "-b", "main")
    git(site, "config", "user.email", "desk@example.org")
    git(site, "config", "user.name", "Desk")
    git(site, "add", "content", "site.toml")
    git(site, "commit", "-q", "-m", "content")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(site, "remote", "add", "origin", str(remote))
    result = runner.invoke(main, ["build", "--content", str(site / "content"),
                                  "--output", str(site / "site")])
    assert result.exit_code == 0, result.output
    return site, remote


def test_deploy_pushes_site_to_gh_pages_without_touching_work_tree(author_repo, runner,
                                                                  monkeypatch):
    site, remote = author_repo
    monkeypatch.chdir(site)
    status_before = git(site, "status", "--porcelain")
    head_before = git(site, "rev-parse", "HEAD")
    result = runner.invoke(main, ["deploy", "-m", "Publish test"])
    assert result.exit_code == 0, result.output
    assert "404.html was built without base_url" in result.output, "a 404 that breaks deep"
    files = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert "index.html" in files and ".nojekyll" in files and "events.json" in files
    assert ".dateline-site" not in files
    assert git(remote, "show", "gh-pages:CNAME") == "timeline.example.org"
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Publish test"
    assert git(site, "status", "--porcelain") == status_before
    assert git(site, "rev-parse", "HEAD") == head_before
    assert git(site, "branch", "--show-current") == "main"
    same = runner.invoke(main, ["deploy"])
    assert same.exit_code == 0 and "no new commit" in same.output, same.output
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"  # (the same site: no commit)
    (site / "content" / "b.md").write_text(
        article("Second event", "2024-12-03", "Y", "Other text."), encoding="utf-8")
    rebuilt = runner.invoke(main, ["build", "--content", str(site / "content"),
                                   "--output", str(site / "site"),
                                   "--base-url", "https://timeline.example.org/"])
    assert rebuilt.exit_code == 0, rebuilt.output
    second = runner.invoke(main, ["deploy"])
    assert second.exit_code == 0, second.output
    assert "base_url" not in second.output, "built with its address: no warning"
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"  # history is kept


def colleague_builds(site, remote, tmp_path, runner, monkeypatch):
    """A colleague clones the author's pushed main, adds an article and builds there."""
    git(site, "push", "-q", "origin", "main")
    colleague = tmp_path / "colleague"
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(colleague))
    (colleague / "content" / "b.md").write_text(
        article("Second event", "2024-12-03", "Y", "Other text."), encoding="utf-8")
    monkeypatch.chdir(colleague)
    assert runner.invoke(main, ["build"]).exit_code == 0


def test_deploy_from_a_fresh_clone_builds_on_the_published_branch(author_repo, runner,
                                                                   monkeypatch, tmp_path):
    site, remote = author_repo
    monkeypatch.chdir(site)
    assert runner.invoke(main, ["deploy"]).exit_code == 0
    colleague_builds(site, remote, tmp_path, runner, monkeypatch)
    result = runner.invoke(main, ["deploy"])
    assert result.exit_code == 0, result.output  # (was: push refused, not fast-forward)
    assert git(remote, "rev-list", "--count", "gh-pages") == "2", "history kept"
    assert "events/2024-12-03-second-event/index.html" in git(
        remote, "ls-tree", "-r", "--name-only", "gh-pages")
    monkeypatch.chdir(site)  # (the first author, behind now, builds on the colleague's)
    again = runner.invoke(main, ["deploy", "-m", "Back to one event"])
    assert again.exit_code == 0, again.output
    assert "origin/gh-pages was published from elsewhere since this clone last deployed" \
        in again.output, "told that their site replaces a newer one"
    assert git(remote, "rev-list", "--count", "gh-pages") == "3"
    assert git(site, "rev-parse", "gh-pages") == git(remote, "rev-parse", "gh-pages")


def test_deploy_refuses_the_site_serve_built(author_repo, runner, monkeypatch):
    """`serve` builds site/ for 127.0.0.1 (no base_url: local feed ids, no sitemap);
    deploy published it with exit 0 and a warning to set the base_url site.toml had."""
    site, remote = author_repo
    (site / "site.toml").write_text('base_url = "https://timeline.example.org/"\n'
                                    'cname = "timeline.example.org"\n', encoding="utf-8")
    monkeypatch.chdir(site)
    with serving(site, output="site"):
        pass
    refused = runner.invoke(main, ["deploy"])
    assert refused.exit_code == 1, refused.output
    assert "site/ was built by `dateline serve` for local preview; run `dateline build` " \
        "first" in refused.output
    assert "set base_url" not in refused.output, "site.toml sets it"
    assert git(site, "branch", "--list", "gh-pages") == ""
    assert runner.invoke(main, ["build", "--no-search"]).exit_code == 0
    published = runner.invoke(main, ["deploy"])
    assert published.exit_code == 0, published.output
    assert "Warning" not in published.output, published.output
    assert "sitemap.xml" in git(remote, "ls-tree", "--name-only", "gh-pages")
    assert "urn:dateline" not in git(remote, "show", "gh-pages:feed.xml")


def test_deploy_of_a_build_without_the_address_site_toml_sets_says_build_again(
        author_repo, runner, monkeypatch):
    site, _ = author_repo
    (site / "site.toml").write_text('base_url = "https://timeline.example.org/"\n',
                                    encoding="utf-8")
    monkeypatch.chdir(site)
    assert runner.invoke(main, ["build", "--base-url", ""]).exit_code == 0
    result = runner.invoke(main, ["deploy", "--no-push"])
    assert result.exit_code == 0, result.output
    assert "site/ was built without base_url" in result.output
    assert "set base_url in site.toml" not in result.output, "it is set"
    assert "build again with `dateline build`" in result.output


def test_deploy_warns_when_a_file_changed_after_the_build(author_repo, runner, monkeypatch):
    site, _ = author_repo
    monkeypatch.chdir(site)
    edited, swap = site / "content" / "a.md", site / "content" / ".a.md.swp"
    swap.write_text("editor scratch")
    (site / "content" / ".obsidian").mkdir()
    vault = site / "content" / ".obsidian" / "workspace.json"
    vault.write_text("{}")
    later = (site / "site" / ".dateline-site").stat().st_mtime + 60
    for changed in (edited, swap, vault):
        os.utime(changed, (later, later))
    result = runner.invoke(main, ["deploy", "--no-push"])
    assert result.exit_code == 0, result.output
    assert "Warning: 1 file changed since site/ was built (content/a.md)" in result.output
    assert runner.invoke(main, ["build"]).exit_code == 0
    os.utime(edited, (later - 120, later - 120))
    assert "changed since" not in runner.invoke(main, ["deploy", "--no-push"]).output


def test_deploy_warns_of_drafts_built_into_the_site(author_repo, runner, monkeypatch):
    site, _ = author_repo
    monkeypatch.chdir(site)
    (site / "content" / "d.md").write_text(article(
        "Insurers tally losses", "2024-11-20", "X", "Not ready.").replace(
        "---\n", "---\ndraft: true\n", 1), encoding="utf-8")
    assert runner.invoke(main, ["build", "--drafts"]).exit_code == 0
    result = runner.invoke(main, ["deploy", "--no-push"])
    assert "Warning: site/ holds 1 draft, built with --drafts" in result.output
    assert runner.invoke(main, ["build"]).exit_code == 0
    assert "draft" not in runner.invoke(main, ["deploy", "--no-push"]).output


def test_deploy_over_a_colleagues_site_after_a_local_commit_says_pull_first(
        author_repo, runner, monkeypatch, tmp_path):
    """A --no-push commit, then a colleague publishes from a clone: the local and the
    published gh-pages went separate ways, and this deploy replaces their site. It said
    only that local site commits were left out, not that their content would go."""
    site, remote = author_repo
    monkeypatch.chdir(site)
    assert runner.invoke(main, ["deploy", "--no-push"]).exit_code == 0
    colleague_builds(site, remote, tmp_path, runner, monkeypatch)
    assert runner.invoke(main, ["deploy"]).exit_code == 0
    monkeypatch.chdir(site)
    result = runner.invoke(main, ["deploy"])
    assert result.exit_code == 0, result.output
    assert "origin/gh-pages was published from elsewhere since this clone last deployed" \
        in result.output and "pull first" in result.output, result.output
    assert "local-only site commits are left out" in result.output


def test_deploy_to_an_unreachable_remote_commits_nothing(author_repo, runner, monkeypatch,
                                                        tmp_path):
    site, _ = author_repo
    git(site, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    monkeypatch.chdir(site)
    result = runner.invoke(main, ["deploy"])
    assert result.exit_code == 1
    assert "could not fetch gh-pages from origin (nothing was committed)" in result.output
    assert git(site, "branch", "--list", "gh-pages") == ""


def test_deploy_outside_a_repository_says_how_to_make_one(make_site, runner, monkeypatch):
    site = make_site({"a.md": article("First event", "2024-11-13", "X", "First text.")})
    monkeypatch.chdir(site)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(site.parent))
    assert runner.invoke(main, ["build"]).exit_code == 0
    result = runner.invoke(main, ["deploy"])
    assert result.exit_code == 1
    assert "is not in a git repository" in result.output and "git init" in result.output


def test_deploy_without_the_remote_says_how_and_commits_nothing(author_repo, runner,
                                                                monkeypatch):
    site, _ = author_repo
    monkeypatch.chdir(site)
    result = runner.invoke(main, ["deploy", "--remote", "upstream"])
    assert result.exit_code == 1
    assert "no remote 'upstream'" in result.output and "--no-push" in result.output
    assert git(site, "branch", "--list", "gh-pages") == ""


def test_deploy_refuses_a_folder_that_is_not_a_build(runner, make_site, monkeypatch):
    site = make_site({})
    (site / "site").mkdir()
    monkeypatch.chdir(site)
    result = runner.invoke(main, ["deploy", "--no-push"])
    assert result.exit_code == 1
    assert "not a Dateline build" in result.output


@pytest.mark.parametrize("title", ["", "   "])
def test_new_refuses_an_empty_title(runner, make_site, title):
    site = make_site({})
    result = runner.invoke(main, ["new", title, "--content", str(site / "content")])
    assert result.exit_code == 2 and "give the article a title" in result.output
    assert not list((site / "content").rglob("*.md"))


def test_serve_on_a_taken_port_says_so_without_building(runner, make_site):
    import socket

    site = make_site({"a.md": article("First event", "2024-11-13", "X", "First text.")})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", "--content", str(site / "content"),
                                      "--output", str(site / "site"), "--port", str(port)])
    assert result.exit_code == 2, result.output
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.output and not (site / "site").exists()


def test_problems_name_files_from_the_working_directory(runner, make_site, monkeypatch):
    """`path:line` as a terminal or editor opens it: from where the author runs dateline,
    and the `separate:` line for a contradiction with `event:`."""
    first = article("Fire at the depot", "2024-11-13", "X", "A fire broke out.")
    second = article("Depot fire", "2024-11-13", "Y", "Fire crews came.")
    site = make_site({
        "fires/a.md": first.replace("---\n", "---\nevent: fire\nseparate: [b.md]\n", 1),
        "fires/b.md": second.replace("---\n", "---\nevent: fire\n", 1)},
        config='titel = "Fires"\n')
    monkeypatch.chdir(site)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("site.toml:1: unknown setting 'titel'")
    assert ("content/fires/a.md:3: event: 'fire' puts this article with fires/b.md, "
            "but separate: keeps them apart") in result.output
