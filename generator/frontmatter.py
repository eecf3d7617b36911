"""Splitting a file into front matter and body, and reading YAML or TOML front matter.

Kept apart from field validation so that every syntax error can name its line in the
file, not in the front-matter block.
"""

from __future__ import annotations

import datetime as dt
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
    key_lines: dict[str, int]  # front-matter key -> file line (of the value read), for messages
    has_front_matter: bool
    repeated: tuple[tuple[str, int], ...] = ()  # (key, line) of YAML values that are overridden
    syntax: str = ""  # "yaml" or "toml": how a hint should write a value


def split(path: str, text: str) -> Split:
    """Separates front matter from the body; raises ContentError on broken front matter.

    Walks the lines with str.find rather than splitting the whole file into lines, as
    only the front matter's few lines are looked at."""
    end = text.find("\n")
    fence = (text[:end] if end >= 0 else text).rstrip()
    if fence not in FENCES:
        return Split({}, text, 1, {}, False)
    closers = {fence, "..."} if fence == "---" else {fence}
    block_start = start = end + 1
    index = 1
    while end >= 0:
        end = text.find("\n", start)
        if (text[start:end] if end >= 0 else text[start:]).rstrip() in closers:
            block = text[block_start:start - 1]
            fields = _load(path, block, FENCES[fence])
            body = text[end + 1:] if end >= 0 else ""
            lines, repeated = _key_lines(block.split("\n") if index > 1 else [])
            return Split(fields, body, index + 2, lines, True,
                         repeated if FENCES[fence] == "yaml" else (), FENCES[fence])
        start, index = end + 1, index + 1
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


    def construct_yaml_int(self, node):  # (YAML 1.2: "010" is ten, not octal eight)
        return int(self.construct_scalar(node), 10)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _core_resolvers() -> dict[str, list]:
    """YAML 1.2's plain booleans and numbers instead of YAML 1.1's, which PyYAML keeps:
    there `source: No` is false, `title: 3:1` the number 181 (base 60) and `010` eight,
    and the outlet or headline as written was lost without a word."""
    words = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
    kept = {first: [(tag, rx) for tag, rx in entries if tag not in words]
            for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    core = (("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
            ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
            ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)"
             r"(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
             "-+0123456789."))
    for tag, pattern, firsts in core:
        for first in firsts:
            kept.setdefault(first, []).append((tag, re.compile(pattern)))
    return {first: entries for first, entries in kept.items() if entries}


_Loader.yaml_implicit_resolvers = _core_resolvers()
YamlLoader = _Loader  # (for the site's other YAML: the register)


MAX_BLOCK = 65_536  # characters of front matter; real ones are a few hundred
MAX_DEPTH = 32  # nested [ and {; PyYAML's scanner slows quadratically with depth


def _load(path: str, block: str, kind: str) -> dict[str, Any]:
    _check_size(path, block)
    if kind == "yaml" and (simple := _simple_yaml(block)) is not None:
        return simple
    try:
        data = yaml.load(block, Loader=_Loader) if kind == "yaml" else tomllib.loads(block)
    except yaml.YAMLError as exc:
        line = _error_line(exc)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(path, line, f"YAML front matter is not valid: {problem}",
                           _yaml_hint(exc, (block.split("\n")[line - 2:line - 1] or [""])[0])
                           ) from exc
    except RecursionError as exc:
        raise ContentError(path, 2, "front matter is nested too deeply to read",
                           "front matter holds simple keys, values and short lists") from exc
    except ValueError as exc:  # (a number past Python's 4,300 digits: not a TOML/YAML error)
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise _toml_problem(path, exc) from exc
        long = "digits" in str(exc)
        what = "a number of over 4,300 digits" if long else str(exc)
        raise ContentError(path, 2, f"front matter holds a value that cannot be read: {what}",
                           "quote a long number to keep it as text" if long
                           else "quote the value to keep it as text") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(path, 2, "front matter must be a mapping of keys to values",
                           "write one 'key: value' per line")
    return data


def _toml_problem(path: str, exc: tomllib.TOMLDecodeError) -> ContentError:
    found = _TOML_LINE.search(str(exc))
    line = int(found.group(1)) + 1 if found else 1
    what = _TOML_LINE.sub("", str(exc)).strip().rstrip(".")  # (the line is the file's, above)
    hint = "write a real day as 2024-11-13, or quote it as text" if "date" in what.lower() \
        else 'write keys as key = "value"'
    return ContentError(path, line, f"TOML front matter is not valid: {what}", hint)


def _check_size(path: str, block: str) -> None:
    """Refuses front matter that is huge or deeply nested before any parser sees it: a
    few kilobytes of '[' would otherwise keep PyYAML busy for minutes (found by fuzzing)."""
    if len(block) > MAX_BLOCK:
        raise ContentError(path, 2, f"front matter is over {MAX_BLOCK:,} characters",
                           "keep the article text below the closing fence")
    if nesting(block) > MAX_DEPTH:
        raise ContentError(path, 2, "front matter is nested too deeply to read",
                           "front matter holds simple keys, values and short lists")


def nesting(text: str) -> int:
    """How deep `[` and `{` nest in YAML or TOML text, counted before any parser sees it
    (PyYAML's scanner slows quadratically with depth, and recurses)."""
    depth = deepest = 0
    for char in _BRACKETS.findall(text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


_BRACKETS = re.compile(r"[\[\]{}]")
_TOML_LINE = re.compile(r"\s*\(at line (\d+)(?:, column \d+)?\)")

# Most front matter is a few `key: value` lines. Reading those here is ~10x cheaper than
# PyYAML, whose constructor is Python even over libyaml. A line of any other form, or a
# value YAML would read as anything but the text or date written, sends the whole block
# to PyYAML: a double-quoted text without escapes, a plain one starting with a letter
# (not a YAML 1.1 boolean or null) from a set of characters that never mean more, or a
# YYYY-MM-DD date (kept as text when the calendar lacks it, as _Loader does).
_SIMPLE_LINE = re.compile(r'([A-Za-z_][\w-]*): (?:"([^"\\]*)"|([A-Za-z](?:[\w .,/&()\'+?=%~!@-]'
                          r"|:(?! ))*)|(\d{4})-(\d\d)-(\d\d))", re.ASCII)
_YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null"}


def _simple_yaml(block: str) -> dict[str, Any] | None:
    """The block's fields if every line is a simple `key: value`, else None."""
    fields: dict[str, Any] = {}
    for line in block.split("\n"):
        match = _SIMPLE_LINE.fullmatch(line)
        if not match:
            if line:
                return None
            continue
        key, quoted, plain, year = match.group(1, 2, 3, 4)
        if key.lower() in _YAML_WORDS:
            return None
        if quoted is not None and quoted.isprintable():
            fields[key] = quoted
        elif plain is not None and plain[-1] not in " :" and plain.lower() not in _YAML_WORDS:
            fields[key] = plain
        elif year is None:
            return None
        else:
            try:
                fields[key] = dt.date(int(year), int(match[5]), int(match[6]))
            except ValueError:
                fields[key] = line[len(key) + 2:]
    return fields


def _yaml_hint(exc: yaml.YAMLError, bad: str) -> str:
    """The likely fix for the YAML error found on the line `bad`."""
    if "\t" in bad[:len(bad) - len(bad.lstrip())]:
        return "indent with spaces: YAML does not allow tabs"
    if "quoted scalar" in (getattr(exc, "context", None) or ""):
        return "close the quote opened on this line"
    return "check the indentation and quote values that contain ': '"


def _error_line(exc: yaml.YAMLError) -> int:
    """The file line to fix: where an unclosed [ or { opened, else where parsing failed."""
    context = getattr(exc, "context", None) or ""
    opened = "flow" in context or "quoted scalar" in context  # (an unclosed [, { or quote)
    mark = getattr(exc, "context_mark", None) if opened else None
    mark = mark or getattr(exc, "problem_mark", None)
    return mark.line + 2 if mark is not None else 1


_KEY = re.compile(r"^\s{0,1}([A-Za-z_][\w-]*)\s*[:=]")


def _key_lines(block: list[str]) -> tuple[dict[str, int], tuple[tuple[str, int], ...]]:
    """Each top-level key's file line, and the earlier lines of a key given twice: YAML
    reads the last value without a word, so a second `date:` pasted below the first
    would silently win (TOML refuses a repeated key itself)."""
    found: dict[str, int] = {}
    top: dict[str, int] = {}  # (keys at the margin: an indented one may be a text's line)
    repeated = []
    for offset, line in enumerate(block):
        match = _KEY.match(line)
        if match:
            found[match.group(1)] = offset + 2
            if not line[0].isspace():
                if match.group(1) in top:
                    repeated.append((match.group(1), top[match.group(1)]))
                top[match.group(1)] = offset + 2
    return found, tuple(repeated)
