"""Shared fixtures: small real-looking sites built into temporary folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
REPO = Path(__file__).parent.parent


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def make_site(tmp_path):
    """Writes {relative path: text} under tmp/content and returns the site folder."""

    def make(files: dict[str, str | bytes], config: str | None = None) -> Path:
        site = tmp_path / "mysite"
        content = site / "content"
        content.mkdir(parents=True, exist_ok=True)
        for rel, text in files.items():
            target = content / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                target.write_bytes(text)
            else:
                target.write_text(text, encoding="utf-8")
        if config is not None:
            (site / "site.toml").write_text(config, encoding="utf-8")
        return site

    return make


@pytest.fixture
def build_site(runner):
    """Runs `dateline build` on a site folder; returns (result, output folder)."""

    def run(site: Path, *extra: str):
        output = site / "public"
        result = runner.invoke(main, ["build", "--content", str(site / "content"),
                                      "--output", str(output), *extra])
        return result, output

    return run


@pytest.fixture
def seeds_site(make_site) -> Path:
    """A site holding only the two raw seed files, untouched."""
    site = make_site({})
    for seed in sorted(SEEDS.iterdir()):
        shutil.copy(seed, site / "content" / seed.name)
    return site


def read_events(output: Path) -> list[dict]:
    return json.loads((output / "events.json").read_text(encoding="utf-8"))["events"]
