"""site.toml -> a frozen Config. Unknown keys and wrong types are errors, all reported at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import re
import tomllib
import urllib.parse
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .encoding import has_controls
from .errors import ContentError, quoted_word
from .mergesettings import MergeSettings

CONFIG_FILE = "site.toml"


@dataclass(frozen=True)
class Config:
    content: Path = Path("content")
    output: Path = Path("site")
    title: str = "Dateline"
    description: str = ""
    base_url: str = ""
    language: str = "en"
    timezone: str = "UTC"
    order: str = "newest"  # the timeline's order: "newest" or "oldest" first
    trusted_html: bool = False  # pass raw HTML in Markdown through (only for content you wrote)
    search: bool = True
    source_trust: tuple[str, ...] = ()  # outlets, most trusted first, to prefer in disagreements
    max_file_size: int = 5_000_000
    cname: str = ""
    drafts: bool = False
    # Built by `dateline serve` for 127.0.0.1, not for publishing: the 404 page links from
    # "/", and `deploy` refuses the output (its marker says so).
    preview: bool = False
    merge: dict[str, Any] = field(default_factory=dict)  # overrides of MergeSettings

    @property
    def zone(self) -> dt.tzinfo:
        """The site's time zone: the day a date-only report or correction starts in."""
        return site_zone(self.timezone)

    @property
    def root(self) -> Path:
        """The site folder: the one holding content/, site.toml and templates/."""
        return self.content.resolve().parent


def site_zone(name: str) -> dt.tzinfo:
    """The `timezone` setting (an IANA name `_check_value` has checked) as a tzinfo."""
    return dt.UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


SETTINGS = {
    "title": str, "description": str, "base_url": str, "language": str, "timezone": str,
    "order": str, "trusted_html": bool, "search": bool, "source_trust": list,
    "max_file_size": int, "cname": str, "merge": dict,
}


class ConfigError(Exception):
    def __init__(self, problems: list[ContentError]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def load_config(content: Path, config_file: Path | None = None, defaults: bool = False,
                **overrides: Any) -> Config:
    """Reads site.toml beside the content folder (if any) and applies command-line
    overrides; with `defaults`, the file is not read (`check` goes on with the defaults
    past a broken one, to report the content's problems too)."""
    path = config_file or content.resolve().parent / CONFIG_FILE
    values: dict[str, Any] = {}
    if path.is_file() and not defaults:
        values = _read(path)
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["content"] = content
    if isinstance(values.get("source_trust"), list):
        values["source_trust"] = tuple(values["source_trust"])
    return Config(**values)


def _read(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError([ContentError(str(path), raw[:exc.start].count(b"\n") + 1,
                                        "site.toml is not UTF-8 text",
                                        "save it as UTF-8")]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise ConfigError([ContentError(str(path), int(found.group(1)) if found else None,
                                        f"site.toml is not valid TOML: {exc}",
                                        "give each setting once" if "overwrite" in str(exc)
                                        else 'write settings as key = "value"')]) from exc
    problems = [p for key, value in data.items() for p in _check(str(path), text, key, value)]
    if problems:
        raise ConfigError(problems)
    return data


def _check(name: str, text: str, key: str, value: Any) -> list[ContentError]:
    line = _line_of(text, key)
    if key not in SETTINGS:
        close = difflib.get_close_matches(key, SETTINGS, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "see docs/configuration.md"
        return [ContentError(name, line, f"unknown setting '{key}'", hint)]
    expected = SETTINGS[key]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        if key == "order":  # (its two words say more than "a str")
            return [ContentError(name, line, "'order' must be \"newest\" or \"oldest\"",
                                 f"got {value!r}")]
        kind = _KINDS.get(expected, f"a {expected.__name__}")
        hint = quoted_word(value) if expected is bool else ""
        return [ContentError(name, line, f"'{key}' must be {kind}", hint or f"got {value!r}")]
    return _check_value(name, text, key, value, line)


_KINDS = {str: 'text in quotes ("...")', bool: "true or false", int: "a whole number",
          list: "a list ([...])", dict: "a table"}


def _check_value(name: str, text: str, key: str, value: Any, line: int | None):
    if key != "merge" and has_controls(value):  # (TOML's escapes let "\u0001" through)
        return [ContentError(name, line, f"'{key}' holds a control character",
                             "write it without escapes such as \\u0001: a web page or feed "
                             "cannot carry them")]
    if key == "order" and value not in ("newest", "oldest"):
        return [ContentError(name, line, "'order' must be \"newest\" or \"oldest\"")]
    if key == "max_file_size" and value <= 0:
        return [ContentError(name, line, "'max_file_size' must be a positive number of bytes",
                             "leave it out for the default, 5000000")]
    if key == "timezone" and not _known_zone(value):
        return [ContentError(name, line, f"unknown time zone '{value}'",
                             "use an IANA name such as Europe/Brussels")]
    if key == "base_url" and (problem := base_url_problem(value)):
        return [ContentError(name, line, f"'base_url' {problem}",
                             "write the site's whole address, e.g. "
                             "https://user.github.io/repo/")]
    if key == "merge":
        return _check_merge(name, text, value)
    return []


def base_url_problem(value: str) -> str:
    """What is wrong with a site address ("" when nothing is, or it is left out). Every
    feed id, sitemap entry and canonical link starts with it, so it must be absolute."""
    if not value:
        return ""
    if not re.match(r"(?i:https?)://", value):
        return "must start with http:// or https://"
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return "is not a web address"
    if not parts.hostname or any(not c.isprintable() or c.isspace() or c in UNSAFE
                                 for c in value):
        return "must be a web address with a host name and no spaces, quotes or backslashes"
    if parts.username is not None or parts.password is not None:
        return "must not hold a user name or password (every page would show it)"
    if parts.query or parts.fragment:
        return "must not have a query (?) or a fragment (#)"
    return ""


UNSAFE = "<>\"'`\\"  # (characters no site address needs, and HTML attributes fear)


def _known_zone(value: str) -> bool:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_merge(name: str, text: str, table: dict[str, Any]) -> list[ContentError]:
    known = {f.name: f for f in dataclasses.fields(MergeSettings)}
    problems = []
    for key, value in table.items():
        line = _line_of(text, key)
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = _BELOW_TABLE if key in SETTINGS else \
                f"did you mean '{close[0]}'?" if close else "see docs/merging.md"
            problems.append(ContentError(name, line, f"unknown merge setting '{key}'", hint))
        else:
            problems.extend(_merge_value_problem(name, line, key, value, known[key].type))
    return problems


# A site setting written below [merge]: TOML reads it into the table, and "unknown merge
# setting 'base_url'" left an author looking for a typo in a key that had none.
_BELOW_TABLE = ("it is a site setting: move it above [merge], as TOML puts every key below "
                "a [table] line into that table")

WHOLE_AT_LEAST = {"window_days": 0, "link_days": 0, "mention_days": 0, "block_terms": 1,
                  "block_cap": 1}  # (counts of days and of neighbours)
WHOLE_AT_MOST = 100_000
SHARES = ("threshold", "group_threshold")  # (average probabilities: 0 to 1)


def _merge_value_problem(name: str, line: int | None, key: str, value: Any,
                         kind: Any) -> list[ContentError]:
    """A merge setting must be a finite number (nan or inf silently changed every merge),
    a whole one where it counts days or neighbours (0.5 crashed the build), and a
    probability between 0 and 1 where it is one."""
    if not isinstance(value, int | float) or isinstance(value, bool) or \
            not math.isfinite(value):
        return [ContentError(name, line, f"merge setting '{key}' must be a number")]
    if kind in (int, "int"):
        least = WHOLE_AT_LEAST.get(key, 0)
        if not isinstance(value, int) or not least <= value <= WHOLE_AT_MOST:
            return [ContentError(name, line, f"merge setting '{key}' must be a whole number "
                                 f"from {least} to {WHOLE_AT_MOST:,}", f"for example {key} = "
                                 f"{getattr(MergeSettings(), key)}")]
    if key in SHARES and not 0 <= value <= 1:
        return [ContentError(name, line, f"merge setting '{key}' must be between 0 and 1")]
    return []


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*{re.escape(key)}\s*=|^\s*\[{re.escape(key)}\]", text, re.MULTILINE)
    return text[: match.start()].count("\n") + 1 if match else None
