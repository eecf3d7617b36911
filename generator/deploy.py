"""`dateline deploy`: commit the built site to a branch and push it (ghp-import style).

Uses git plumbing with a temporary index, so the author's working tree, index and
current branch are never touched.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .timeline import counted
from .write import DRAFTS_LINE, MARKER, PREVIEW_LINE


class DeployError(Exception):
    pass


@dataclass(frozen=True)
class Deployment:
    commit: str
    branch: str
    pushed_to: str | None
    unchanged: bool = False  # the branch already held this very site: no new commit
    note: str = ""  # what the author should know about the histories it built on


STYLESHEET = re.compile(rb'<link rel="stylesheet" href="([^"]*)"')


def missing_page_works_deep(site: Path) -> bool:
    """Whether the built 404.html links its style sheet by an address that holds at any
    depth: GitHub Pages serves it for every missing page, whatever folder that page is
    in, so a relative link (a build without base_url) breaks below the top of the site."""
    try:
        found = STYLESHEET.search((site / "404.html").read_bytes())
    except OSError:
        return True  # (no 404 page, or a theme without one: nothing to say)
    return found is None or found.group(1).startswith((b"http:", b"https:", b"/"))


def publishable(site: Path) -> None:
    """Refuses a folder that is no build, or that `dateline serve` built: a preview for
    127.0.0.1 (built without base_url, so with local feed ids, no sitemap, and whatever
    was saved while serving, kept or not), which deploy once published with exit 0."""
    if not (site / MARKER).is_file():
        raise DeployError(f"{site} is not a Dateline build; run `dateline build` first")
    if PREVIEW_LINE in _marker(site):
        raise DeployError(f"{site}/ was built by `dateline serve` for local preview; run "
                          "`dateline build` first (nothing was committed)")


def _marker(site: Path) -> str:
    """What the build wrote in its marker ("" when there is none to read)."""
    try:
        return (site / MARKER).read_text(encoding="utf-8")
    except OSError:
        return ""


def site_warnings(site: Path, content: Path, base_url: str = "") -> list[str]:
    """What the author should know before `site/` is published: files saved after it was
    built, drafts in it, a 404 page that breaks below the top of the site (`base_url`:
    site.toml's, which says whether the fix is to set one or to build with it)."""
    said = []
    if changed := changed_since_built(site, content):
        named = ", ".join(map(str, changed[:3])) + (", ..." if len(changed) > 3 else "")
        said.append(f"{counted(len(changed), 'file')} changed since {site}/ was built "
                    f"({named}); what is published leaves {'it' if len(changed) == 1 else 'them'}"
                    " out: build again first (with the same --base-url).")
    if drafts := drafts_in(site):
        said.append(f"{site}/ holds {counted(drafts, 'draft')}, built with --drafts, which "
                    "would be published: build without --drafts first.")
    if not missing_page_works_deep(site):
        said.append(_no_address(site, base_url))
    return said


def _no_address(site: Path, base_url: str) -> str:
    """The warning for a 404 page built without the site's address, with the fix that
    applies: site.toml may set base_url already, and the build just did not use it."""
    broken = ("so a missing page below the top of the site shows it unstyled and with "
              "broken links")
    if base_url:
        return (f"{site}/ was built without base_url although site.toml sets it (built "
                f"with --base-url ''?), {broken}; build again with `dateline build`, then "
                "deploy.")
    return (f"{site}/404.html was built without base_url, {broken}; set base_url in "
            "site.toml (or build with --base-url) to the site's address, then build and "
            "deploy again.")


def drafts_in(site: Path) -> int:
    """How many drafts the build in `site` published (`--drafts`): a draft is not meant
    for readers yet."""
    found = re.search(rf"^{re.escape(DRAFTS_LINE)}(\d+)$", _marker(site), re.MULTILINE)
    return int(found.group(1)) if found else 0


def changed_since_built(site: Path, content: Path) -> list[Path]:
    """The content, site.toml and template files saved after `site/` was built (the time
    of its marker, which every build writes): publishing then would leave them out."""
    try:
        built = (site / MARKER).stat().st_mtime
    except OSError:
        return []
    root = content.resolve().parent  # (where site.toml is: `--content .` included)
    changed = [] if not (root / "site.toml").is_file() or \
        (root / "site.toml").stat().st_mtime <= built else [root / "site.toml"]
    for folder in (content, root / "templates"):
        files = folder.rglob("*") if folder.is_dir() else ()
        changed += [f for f in files if not _scratch(f.relative_to(folder))
                    and f.is_file() and f.stat().st_mtime > built]
    return sorted(changed)


def _scratch(rel: Path) -> bool:
    """Files no build reads: hidden ones or in hidden folders (.DS_Store, .git/,
    .obsidian/, an editor's .swp) and backups."""
    return any(part.startswith(".") for part in rel.parts) or \
        rel.name.endswith(("~", ".swp", ".tmp"))


def deploy(site: Path, branch: str = "gh-pages", remote: str | None = "origin",
           message: str = "Publish site", cname: str = "") -> Deployment:
    """Commits `site/` as the whole tree of `branch` (history kept) and pushes it."""
    publishable(site)
    top = _repository(site)
    if remote and not _has_remote(top, remote):  # (before committing anything)
        raise DeployError(f"this repository has no remote {remote!r}; add one with "
                          f"`git remote add {remote} URL`, name another with --remote, "
                          "or commit without pushing with --no-push")
    published = _published_head(top, remote, branch) if remote else None
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch) / "index")}
        tree = _tree(top, site, cname, env)
    parent, note = _parent(top, _branch_head(top, branch), published)
    unchanged = parent is not None and _git(top, "rev-parse", f"{parent}^{{tree}}") == tree
    if unchanged:
        commit = parent  # (a second deploy of the same site adds no empty commit)
    else:
        args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
        commit = _git(top, *args, env=_identity())
    _git(top, "update-ref", f"refs/heads/{branch}", commit)
    if remote:
        _git(top, "push", remote, f"refs/heads/{branch}:refs/heads/{branch}")
    return Deployment(commit, branch, remote, unchanged,
                      "" if unchanged else note.format(remote=remote, branch=branch))


def _repository(site: Path) -> Path:
    """The top folder of the git repository the site folder is in."""
    try:
        return Path(_git(site.parent, "rev-parse", "--show-toplevel"))
    except DeployError as exc:
        raise DeployError(f"{site.parent.resolve()} is not in a git repository, so there is no "
                          "branch to publish on; run `git init` and add the GitHub repository "
                          "as a remote (`git remote add origin URL`)") from exc


def _published_head(top: Path, remote: str, branch: str) -> str | None:
    """The branch as the remote has it now (fetched), or None when the remote has no such
    branch yet. Deploying from a fresh clone, or after someone else has published, must
    build on it: a commit on anything else is refused by the push as not fast-forward."""
    tracking = f"refs/remotes/{remote}/{branch}"
    done = subprocess.run(["git", "fetch", "--quiet", "--no-tags", remote,
                           f"+refs/heads/{branch}:{tracking}"],
                          cwd=top, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        if _remote_lacks(top, remote, branch):
            return None
        raise DeployError(f"could not fetch {branch} from {remote} (nothing was committed): "
                          f"{done.stderr.strip()}; check the remote's address and your access "
                          f"with `git fetch {remote}`, or commit without pushing with --no-push")
    return _git(top, "rev-parse", "--verify", "--quiet", tracking)


def _remote_lacks(top: Path, remote: str, branch: str) -> bool:
    """Whether the remote answers and has no `branch` (its first deploy)."""
    done = subprocess.run(["git", "ls-remote", "--exit-code", "--heads", remote, branch],
                          cwd=top, capture_output=True, text=True, check=False)
    return done.returncode == 2  # (ls-remote's "reachable, but no matching ref")


def _parent(top: Path, local: str | None, published: str | None) -> tuple[str | None, str]:
    """What the new site commit follows, and what to tell the author about it: the
    published branch, unless the local one already contains it (commits made with
    --no-push since). Where someone else published after this clone last did, the new
    commit still follows the published one (its site replaces theirs, as any deploy
    does), but the author is told to pull their content; where the local branch went
    its own way too (a --no-push commit, then a colleague's deploy), the same, and that
    the unpushed local site commits are left out."""
    if published is None or local is None or local == published:
        return local or published, ""
    if _is_ancestor(top, published, local):
        return local, ""
    if _is_ancestor(top, local, published):
        return published, REPLACED
    return published, (REPLACED + "; {remote}/{branch} and the local {branch} went separate "
                       "ways, and the local-only site commits are left out")


REPLACED = ("{remote}/{branch} was published from elsewhere since this clone last deployed; "
            "this site replaces it, so pull first if their content is not in yours (then "
            "build and deploy again)")


def _is_ancestor(top: Path, older: str, newer: str) -> bool:
    """Whether commit `older` is in `newer`'s history."""
    done = subprocess.run(["git", "merge-base", "--is-ancestor", older, newer],
                          cwd=top, capture_output=True, check=False)
    return done.returncode == 0


def _has_remote(top: Path, remote: str) -> bool:
    done = subprocess.run(["git", "-C", str(top), "remote", "get-url", remote],
                          capture_output=True, text=True, check=False)
    return done.returncode == 0


def _tree(top: Path, site: Path, cname: str, env: dict[str, str]) -> str:
    _git(top, f"--work-tree={site.resolve()}", "add", "--all", "--force", ".", env=env)
    _git(top, "rm", "--cached", "--quiet", "--ignore-unmatch", MARKER, env=env)
    if cname:
        blob = _git(top, "hash-object", "-w", "--stdin", input_text=cname.strip() + "\n")
        _git(top, "update-index", "--add", "--cacheinfo", f"100644,{blob},CNAME", env=env)
    return _git(top, "write-tree", env=env)


def _branch_head(top: Path, branch: str) -> str | None:
    try:
        return _git(top, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    except DeployError:
        return None


def _identity() -> dict[str, str]:
    """The author's git identity when configured, else a neutral one for the site commit."""
    env = dict(os.environ)
    for role in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{role}_NAME", _config_value("user.name") or "Dateline")
        env.setdefault(f"GIT_{role}_EMAIL", _config_value("user.email") or "dateline@localhost")
    return env


def _config_value(key: str) -> str:
    done = subprocess.run(["git", "config", key], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None,
         input_text: str | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, input=input_text,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DeployError(f"git {args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()
