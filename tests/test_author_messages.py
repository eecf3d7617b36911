"""What a new author sees when a file is in the wrong place or a value is written as
another tool would take it: each is said on its file and line, with the fix, in the
same run as the rest of the content's problems."""

from __future__ import annotations

from generator.cli import main

STORM = ("---\ntitle: Storm hits the coast\ndate: 2024-11-12\nsource: Coastwire\n---\n"
         "The storm hit the coast on Tuesday, the harbour master said.\n")
REGISTER = "- office: Harbour Master\n  holder: Ann Lee\n  from: 2020-01-01\n"


def check(runner, site):
    return runner.invoke(main, ["check", "--content", str(site / "content")])


def test_a_register_file_where_none_is_read_is_said(runner, make_site):
    site = make_site({"storms/a.md": STORM, "storms/_register.yml": REGISTER,
                      "_register.yml": REGISTER, "_register.yaml": REGISTER})
    (site / "_register.yml").write_text(REGISTER, encoding="utf-8")  # (beside site.toml)
    result = check(runner, site)
    assert result.exit_code == 0, result.output
    assert "content/storms/_register.yml: warning: the register is read only from " \
        "content/_register.yml; this one is ignored (move its entries into " \
        "content/_register.yml)" in result.output, result.output
    assert "mysite/_register.yml: warning: the register is read only from " \
        "content/_register.yml; this one is ignored (move it into content/)" in result.output
    assert "content/_register.yaml: warning: content/_register.yml is read, not this one " \
        "(move its entries into content/_register.yml and delete this file)" in result.output
