"""Fuzzes the article reader: bytes -> decode -> parse_article must never raise.

    .venv/bin/python bench/fuzz_parse.py                          # 20,000 mutations
    .venv/bin/python bench/fuzz_parse.py --iterations 2000 --engine hypothesis
    .venv/bin/python bench/fuzz_parse.py --iterations 50000 --engine atheris   # pip install atheris

Engines: `mutate` (default) flips, inserts and splices bytes of the real files under
content/ and tests/fixtures/ (seeded, so a run can be repeated); `hypothesis` draws
structured inputs (front matter from random dictionaries, any text); `atheris` runs
libFuzzer with coverage feedback. Every input also checks the contract: problems name
the file and a line inside it (or None), and the same input gives the same result.
Prints iterations, exceptions found and time; exits 1 if anything raised.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.encoding import decode  # noqa: E402
from generator.parse import parse_article  # noqa: E402

PATH = "fuzz/input.md"
TOKENS = [b"---\n", b"+++\n", b"...\n", b": ", b" = ", b"[", b"]", b"{", b"}", b"- ", b"\n",
          b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"date: ", b"2024-02-30", b"9999-12-31",
          b"0001-01-01T00:00:00+14:00", b"On Wednesday", b"Nov 13", b"February 30", b"&", b"*a",
          b"<script>", b"javascript:", b"](", b"`", b"> ", b"#", b"(Reuters) - ", b"\xe9"]


class Tally:
    def __init__(self, engine: str, seed: int) -> None:
        self.engine, self.seed = engine, seed
        self.iterations = 0
        self.failures: list[tuple[bytes, str]] = []
        self.start = time.perf_counter()

    def summary(self) -> int:
        """Prints the figures docs/security.md quotes; returns the exit code."""
        elapsed = time.perf_counter() - self.start
        print(f"engine: {self.engine}  seed: {self.seed}")
        print(f"iterations: {self.iterations:,}")
        print(f"exceptions found: {len(self.failures)}")
        print(f"time: {elapsed:.1f}s ({self.iterations / max(elapsed, 1e-9):,.0f} inputs/s)")
        for raw, trace in self.failures[:3]:
            print(f"\n--- input {raw[:200]!r}\n{trace}")
        sys.stdout.flush()
        return 1 if self.failures else 0

    def run(self, raw: bytes) -> None:
        """One input through the reader; any exception or broken contract is recorded."""
        self.iterations += 1
        try:
            check(raw)
        except Exception:  # the point of the exercise: count, keep going
            self.failures.append((raw, traceback.format_exc(limit=4)))


def check(raw: bytes) -> None:
    text, problems = decode(PATH, raw)
    if text is None:
        assert problems, "undecodable input without a problem"
        return
    result = parse_article(PATH, text, "fuzz")
    limit = text.count("\n") + text.count("\r") + 2
    for problem in result[1]:
        assert problem.path == PATH, problem
        assert problem.line is None or 1 <= problem.line <= limit, problem
    assert parse_article(PATH, text, "fuzz") == result, "not deterministic"


def corpus() -> list[bytes]:
    folders = [ROOT / "content", ROOT / "tests" / "fixtures"]
    files = sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*")
                   if p.is_file() and p.suffix in (".md", ".txt", ".markdown"))
    return [p.read_bytes()[:20_000] for p in files] or [b"---\ntitle: T\n---\nBody\n"]


def mutate(rng: random.Random, seeds: list[bytes]) -> bytes:
    data = bytearray(rng.choice(seeds))
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(data))
        action = rng.randrange(5)
        if action == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif action == 1:
            data[at:at] = rng.choice(TOKENS)
        elif action == 2:
            del data[at:at + rng.randint(1, 40)]
        elif action == 3:
            other = rng.choice(seeds)
            start = rng.randint(0, len(other))
            data[at:at] = other[start:start + rng.randint(1, 200)]
        else:
            data[at:at] = data[at:at + rng.randint(1, 30)] * rng.randint(2, 50)
    return bytes(data)


def run_mutate(tally: Tally, iterations: int, seed: int) -> None:
    rng, seeds = random.Random(seed), corpus()
    for _ in range(iterations):
        tally.run(mutate(rng, seeds))


def run_hypothesis(tally: Tally, iterations: int, seed: int) -> None:
    import yaml
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as fix_seed
    from hypothesis import strategies as st

    value = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30)
                         | st.dates() | st.datetimes(), lambda inner: st.lists(inner, max_size=3)
                         | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
    front = st.dictionaries(st.sampled_from(["title", "date", "source", "url", "tags", "event",
                                             "corrections", "draft"]) | st.text(max_size=8),
                            value, max_size=6)

    def as_yaml(fields: dict) -> bytes:
        return ("---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\nBody on Monday.\n"
                ).encode("utf-8", "surrogatepass")

    inputs = st.binary(max_size=2000) | st.text(max_size=2000).map(
        lambda t: t.encode("utf-8", "surrogatepass")) | front.map(as_yaml)

    @fix_seed(seed)
    @settings(max_examples=iterations, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(inputs)
    def explore(raw: bytes) -> None:
        tally.run(raw)

    explore()


def run_atheris(tally: Tally, iterations: int, seed: int) -> None:
    """libFuzzer with coverage feedback. It ends the process itself after its runs, so
    the figures are printed from the last input."""
    import atheris

    atheris.instrument_all()  # generator is already imported: instrument what is loaded

    def one(raw: bytes) -> None:
        tally.run(raw)
        if tally.iterations >= iterations:
            sys.stdout.flush()
            os._exit(tally.summary())

    atheris.Setup([sys.argv[0], f"-runs={iterations + 10}", f"-seed={seed}",
                   "-max_len=8192"], one)
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--engine", choices=("mutate", "hypothesis", "atheris"),
                        default="mutate")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tally = Tally(args.engine, args.seed)
    {"mutate": run_mutate, "hypothesis": run_hypothesis, "atheris": run_atheris}[args.engine](
        tally, args.iterations, args.seed)
    return tally.summary()


if __name__ == "__main__":
    sys.exit(main())
