"""Splitting a file into front matter and body, and reading YAML or TOML front matter.

Kept apart from field validation so that every syntax error can name its line in the
file, not in the front-matter block.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import ContentError

FENCES = {"---": "yaml", "+++": "toml"}


@dataclass(frozen=True)
class Split:
    fields: dict[str, Any]
    body: str
    body_line: int  # file line where the body starts
    key_lines: dict[str, int]  # front-matter key -> file line, for messages
    has_front_matter: bool


def split(path: str, text: str) -> Split:
    """Separates front matter from the body; raises ContentError on broken front matter."""
    lines = text.split("\n")
    fence = lines[0].rstrip() if lines else ""
    if fence not in FENCES:
        return Split({}, text, 1, {}, False)
    closers = {fence, "..."} if fence == "---" else {fence}
    for index in range(1, len(lines)):
        if lines[index].rstrip() in closers:
            block = "\n".join(lines[1:index])
            fields = _load(path, block, FENCES[fence])
            body = "\n".join(lines[index + 1:])
            return Split(fields, body, index + 2, _key_lines(lines[1:index]), True)
    raise ContentError(path, 1, f"front matter opened with '{fence}' is never closed",
                       f"end it with a line holding only '{fence}'")


# libyaml's C parser when PyYAML was built with it (the wheels are): ~10x faster.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """SafeLoader that leaves a date the calendar lacks (2024-02-30) as text, so the field
    check can report it with its key's line instead of the YAML layer crashing."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


MAX_BLOCK = 65_536  # characters of front matter; real ones are a few hundred
MAX_DEPTH = 32  # nested [ and {; PyYAML's scanner slows quadratically with depth


def _load(path: str, block: str, kind: str) -> dict[str, Any]:
    _check_size(path, block)
    try:
        data = yaml.load(block, Loader=_Loader) if kind == "yaml" else tomllib.loads(block)
    except yaml.YAMLError as exc:
        line = _error_line(exc)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(path, line, f"YAML front matter is not valid: {problem}",
                           "check the indentation and quote values that contain ': '") from exc
    except RecursionError as exc:
        raise ContentError(path, 2, "front matter is nested too deeply to read",
                           "front matter holds simple keys, values and short lists") from exc
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        line = int(found.group(1)) + 1 if found else 1
        raise ContentError(path, line, f"TOML front matter is not valid: {exc}",
                           'write keys as key = "value"') from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(path, 2, "front matter must be a mapping of keys to values",
                           "write one 'key: value' per line")
    return data


def _check_size(path: str, block: str) -> None:
    """Refuses front matter that is huge or deeply nested before any parser sees it: a
    few kilobytes of '[' would otherwise keep PyYAML busy for minutes (found by fuzzing)."""
    if len(block) > MAX_BLOCK:
        raise ContentError(path, 2, f"front matter is over {MAX_BLOCK:,} characters",
                           "keep the article text below the closing fence")
    depth = deepest = 0
    for char in block:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(depth - 1, 0)
    if deepest > MAX_DEPTH:
        raise ContentError(path, 2, "front matter is nested too deeply to read",
                           "front matter holds simple keys, values and short lists")


def _error_line(exc: yaml.YAMLError) -> int:
    """The file line to fix: where an unclosed [ or { opened, else where parsing failed."""
    context = getattr(exc, "context", None) or ""
    mark = getattr(exc, "context_mark", None) if "flow" in context else None
    mark = mark or getattr(exc, "problem_mark", None)
    return mark.line + 2 if mark is not None else 1


def _key_lines(block: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for offset, line in enumerate(block):
        match = re.match(r"^\s{0,1}([A-Za-z_][\w-]*)\s*[:=]", line)
        if match and match.group(1) not in found:
            found[match.group(1)] = offset + 2
    return found
