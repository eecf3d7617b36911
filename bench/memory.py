"""What one article costs in memory, in the compact forms a 100k build relies on.

    python bench/memory.py CONTENT [--sample 1000]

Parses a sample of the folder's articles the way a build does and prints, per article:
the plain text and HTML as strings against `models.Body` (compressed), the merge
evidence as the readable `entities.Features` against `evidence.Packed` (Python's own
accounting: tracemalloc), and the evidence as pickled into the spill file. The figures
in docs/architecture.md ("Memory") come from this script on bench/make_corpus.py's
archive.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import sys
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.discover import discover  # noqa: E402
from generator.entities import extract  # noqa: E402
from generator.evidence import PackedFeatures, evidence  # noqa: E402
from generator.parse import read_article  # noqa: E402


def held(make) -> float:
    """Bytes that the objects `make()` returns keep allocated."""
    gc.collect()
    tracemalloc.start()
    kept = make()
    gc.collect()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--sample", type=int, default=1000)
    args = parser.parse_args(argv)
    files = discover(args.content, 10_000_000).articles[:args.sample]
    articles = [a for a in (read_article(f.path, f.rel, f.story, False)[0] for f in files) if a]
    n = len(articles)
    for article in articles:  # the extractors' caches fill here, not in what is measured
        evidence(article)
    texts = [(a.text, a.html) for a in articles]
    rows = [
        ("text and HTML as str", sum(len(t.encode()) + len(h.encode()) + 98 for t, h in texts)),
        ("models.Body (zlib)", sum(len(a.content.packed_text) + len(a.content.packed_html) + 66
                                   for a in articles)),
        ("evidence as entities.Features", held(lambda: [extract(a) for a in articles])),
        ("evidence packed", held(lambda: [PackedFeatures.of(extract(a)) for a in articles])),
        ("evidence pickled (spill file)", sum(len(pickle.dumps(evidence(a), 5))
                                              for a in articles)),
    ]
    print(f"{n} articles from {args.content}; bytes per article:")
    for label, total in rows:
        print(f"  {label:32s} {total / n:8,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
