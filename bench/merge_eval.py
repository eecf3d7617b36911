"""Measure duplicate-event merging through the real `dateline build`.

    python bench/merge_eval.py [FILE.jsonl ...]

For each labelled file in ../shared/eval-dev/ (read at run time; the texts belong to
their publishers and are only ever written to a temporary folder that is deleted
afterwards), this writes one Markdown file per article with front matter (title,
date, source, url), runs `dateline build --content X --output Y --no-search`, reads
Y/events.json and scores its events against the labels: B-cubed and pairwise
precision/recall/F1 and the wall time of the build. Each file is evaluated on its own.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from merge_lab import EVAL_DIR, FILES, bcubed, load, pairwise  # noqa: E402


def write_content(records: Sequence[dict], folder: Path) -> None:
    """One article file per record; strings are JSON-quoted, which YAML reads as-is."""
    folder.mkdir(parents=True)
    (folder / "_index.md").write_text("---\ntitle: Evaluation\n---\n", encoding="utf-8")
    for record in records:
        front = "\n".join(
            f"{key}: {json.dumps(record[field])}"
            for key, field in (("title", "title"), ("source", "outlet"), ("url", "url"))
        )
        text = f"---\n{front}\ndate: {record['date']}\n---\n{record['text']}\n"
        (folder / f"{record['id']}.md").write_text(text, encoding="utf-8")


def dateline_command() -> list[str]:
    """The installed console script, else `python -m generator` from this checkout."""
    script = shutil.which("dateline") or str(Path(sys.executable).with_name("dateline"))
    if Path(script).exists():
        return [script]
    return [sys.executable, "-m", "generator"]


def build(content: Path, output: Path) -> tuple[float, subprocess.CompletedProcess]:
    command = [*dateline_command(), "build", "--content", str(content), "--output", str(output),
               "--no-search", "--quiet"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent, check=False)
    return time.perf_counter() - start, done


def predicted_labels(events_json: Path, ids: Sequence[str]) -> list[int]:
    """Event index of each article, from events[].articles[].file (the path in content/)."""
    events = json.loads(events_json.read_text(encoding="utf-8"))["events"]
    event_of = {}
    for k, event in enumerate(events):
        for article in event["articles"]:
            event_of[Path(article["file"]).stem] = k
    missing = [i for i in ids if i not in event_of]
    if missing:
        raise SystemExit(f"{len(missing)} articles are in no event, e.g. {missing[0]}")
    return [event_of[i] for i in ids]


def evaluate(name: str) -> str:
    records = load(EVAL_DIR / name)
    with tempfile.TemporaryDirectory(prefix="dateline-eval-") as tmp:
        content, output = Path(tmp) / "content", Path(tmp) / "site"
        # One story folder: the default story (files directly in content/) currently
        # fails in discover with "story folder ... both map to stories//".
        write_content(records, content / "eval")
        seconds, done = build(content, output)
        if not (output / "events.json").exists():
            raise SystemExit(f"build failed for {name} (exit {done.returncode}):\n{done.stderr}")
        predicted = predicted_labels(output / "events.json", [r["id"] for r in records])
    truth = [r["event_id"] for r in records]
    scores = (*bcubed(truth, predicted), *pairwise(truth, predicted))
    figures = " ".join(f"{x:6.3f}" for x in scores)
    return f"{name:26} {figures} {seconds:6.1f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=FILES)
    args = parser.parse_args(argv)
    heads = ("B3 P", "B3 R", "B3 F1", "pw P", "pw R", "pw F1", "build s")
    print(f"{'file':26} " + " ".join(f"{h:>6}" for h in heads))
    for name in args.files:
        print(evaluate(name), flush=True)


if __name__ == "__main__":
    main()
