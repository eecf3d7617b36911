"""The whole fixture site, byte for byte. After an intended change: `make golden`."""

from __future__ import annotations

import difflib

from .golden import EXPECTED, build_golden


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_golden_site_is_unchanged(tmp_path):
    output = tmp_path / "out"
    build_golden(output)
    built, expected = files(output), files(EXPECTED)
    assert sorted(built) == sorted(expected), "pages added or removed; run `make golden`"
    for name, data in expected.items():
        if built[name] != data:
            diff = "\n".join(difflib.unified_diff(
                data.decode().splitlines(), built[name].decode().splitlines(),
                f"expected/{name}", f"built/{name}", lineterm="", n=2))
            raise AssertionError(f"{name} differs (run `make golden` if intended):\n{diff[:3000]}")
