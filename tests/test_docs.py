"""The examples in docs/ must build: docs that lie are worse than none."""

from __future__ import annotations

import re

from generator.config import load_config
from generator.parse import parse_article

from .conftest import REPO, read_events

FENCE = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def examples(doc: str, language: str) -> list[str]:
    text = (REPO / "docs" / doc).read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def article_examples() -> list[str]:
    """Complete article examples: Markdown/TOML blocks that open with front matter."""
    blocks = examples("authoring.md", "markdown") + examples("authoring.md", "yaml") + \
        examples("authoring.md", "toml")
    return [b for b in blocks if b.startswith(("---\n", "+++\n")) and "description:" not in b]


def test_authoring_guide_has_examples_of_both_front_matter_kinds():
    kinds = {b[:3] for b in article_examples()}
    assert kinds == {"---", "+++"}


def test_every_article_example_parses_without_errors():
    for number, block in enumerate(article_examples()):
        body = block if block.rstrip().endswith(("---", "+++")) is False else block + "Text.\n"
        article, problems = parse_article(f"example-{number}.md", body)
        errors = [str(p) for p in problems if p.severity == "error"]
        assert article is not None and not errors, (block, errors)


def test_plain_text_example_builds_with_the_documented_outcome(make_site, build_site):
    (plain,) = examples("authoring.md", "text")
    site = make_site({"clipping.txt": plain + "\n\nThe meeting was on November 13, 2024.\n"})
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    (event,) = read_events(output)
    assert event["title"].startswith("Blinken meets with NATO Secretary-General")


def test_configuration_example_is_a_valid_site_toml(make_site):
    (example,) = examples("configuration.md", "toml")
    site = make_site({}, config=example)
    config = load_config(site / "content")
    assert config.order == "newest" and config.source_trust == ("Reuters", "Associated Press")
