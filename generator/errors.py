"""Content problems, reported all at once with the file, the line and the fix."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentError(Exception):
    """One problem in the site's input.

    An exception so a deep helper can raise it, and a value so the collector can sort
    and print many of them: the build reports every problem, not just the first.
    """

    path: str
    line: int | None
    message: str
    hint: str = ""
    severity: str = "error"  # "error" or "warning"

    def __reduce__(self):
        """A frozen exception cannot be unpickled field by field; rebuild it whole, so
        problems found in worker processes reach the report."""
        return (type(self), (self.path, self.line, self.message, self.hint, self.severity))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        hint = f" ({self.hint})" if self.hint else ""
        label = "warning: " if self.severity == "warning" else ""
        return f"{where}: {label}{self.message}{hint}"


def warning(path: str, line: int | None, message: str, hint: str = "") -> ContentError:
    return ContentError(path, line, message, hint, "warning")


def quoted_word(value: object) -> str:
    """The fix for `draft = "false"`: in quotes, true and false are text to TOML and YAML
    alike, and "expected true or false, got 'false'" left an author looking for a typo."""
    word = value.strip().lower() if isinstance(value, str) else ""
    return f"write {word} without quotes: in quotes it is text" \
        if word in ("true", "false") else ""


def located(problem: ContentError, content: Path) -> str:
    """The problem as printed for a person at a terminal: its file named from the working
    directory (`content/ukraine/a.md:3: ...`), so editors and terminals can open the
    `path:line` link; outside the working directory, by its absolute path.

    The report itself names articles within the content folder, as `separate:` and
    `events.json` do; settings problems already carry site.toml's full path.
    """
    full = Path(os.path.abspath(content / problem.path))
    try:
        shown = full.relative_to(Path.cwd()).as_posix()
    except ValueError:
        shown = str(full)
    return str(replace(problem, path=shown))


def reading_order(problem: ContentError) -> tuple:
    """By file, then line, a problem about the whole file (no line) first: the dataclass
    order would compare None with a line number when one file has both kinds."""
    line = -1 if problem.line is None else problem.line
    return (problem.path, line, problem.message, problem.hint, problem.severity)


@dataclass
class Report:
    """Collects problems from every stage so one build shows them all."""

    problems: list[ContentError] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)  # left out on purpose, still accounted for
    draft_media: list[str] = field(default_factory=list)  # files the drafts link to

    def add(self, problem: ContentError) -> None:
        self.problems.append(problem)

    def extend(self, problems) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[ContentError]:
        return sorted((p for p in self.problems if p.severity == "error"), key=reading_order)

    @property
    def warnings(self) -> list[ContentError]:
        return sorted((p for p in self.problems if p.severity == "warning"), key=reading_order)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


class BuildFailed(Exception):
    """Raised by build() when content errors stop the build; carries the report."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} content error(s)")
        self.report = report
