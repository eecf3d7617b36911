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


def test_a_quoted_true_or_false_is_told_to_lose_its_quotes(runner, make_site):
    site = make_site({"a.md": STORM,
                      "b.md": '+++\ntitle = "Port strike"\ndate = 2024-11-12\n'
                              'source = "Coastwire"\ndraft = "false"\n+++\nDockers walked out.\n',
                      "c.md": '---\ntitle: Port strike ends\ndate: 2024-11-13\n'
                              'source: Coastwire\ndraft: "true"\n---\nDockers went back.\n'},
                     config='title = "Storm desk"\nsearch = "false"\n')
    result = check(runner, site)
    assert "b.md:5: 'draft': expected true or false, got 'false' (write false without " \
        "quotes: in quotes it is text)" in result.output, result.output
    assert "c.md:5: 'draft': expected true or false, got 'true' (write true without " \
        "quotes: in quotes it is text)" in result.output
    assert "site.toml:2: 'search' must be true or false (write false without quotes: in " \
        "quotes it is text)" in result.output


def test_a_link_to_a_missing_image_names_its_line(runner, make_site):
    site = make_site({"a.md": STORM,
                      "storms/elra.md": "---\ntitle: Elra makes landfall\ndate: 2024-11-12\n"
                                        "source: Coastwire\n---\nElra came ashore on Tuesday.\n\n"
                                        "- Winds of 160 km/h\n- Power cut in the port, "
                                        "as the\n  map shows: ![Map](nothere.png)\n\n"
                                        "| Town | Photo |\n|---|---|\n| Faro | ![x](_hidden.png) |\n"
                                        "\nSee `the\nlog` then [the log](gone.pdf).\n",
                      "storms/_index.md": "---\ntitle: Storm Elra\n---\nWhat we know.\n\n"
                                          "![Track](track.png)\n"})
    result = check(runner, site)
    assert "storms/elra.md:10: warning: links to 'storms/nothere.png', which is not in the " \
        "content folder" in result.output, result.output
    assert "storms/elra.md:14: warning: links to 'storms/_hidden.png', but files and " \
        "folders" in result.output
    assert "storms/_index.md:6: warning: links to 'storms/track.png'" in result.output
    assert "storms/elra.md:17: warning: links to 'storms/gone.pdf'" in result.output, \
        "a line break inside a code span is a line of the file too"


def test_tags_written_as_one_text_with_commas_are_split_with_a_warning(runner, make_site,
                                                                      build_site):
    site = make_site({"a.md": "---\ntitle: Storm hits the coast\ndate: 2024-11-12\n"
                              "source: Coastwire\ntags: storm, portugal\n---\n"
                              "The storm hit the coast on Tuesday, the harbour master said.\n",
                      "b.md": '+++\ntitle = "Port closed"\ndate = 2024-11-13\n'
                              'source = "Coastwire"\ntags = "storm,  faro"\n+++\n'
                              "The port of Faro stayed closed on Wednesday.\n"})
    result = check(runner, site)
    assert "a.md:5: warning: 'tags' is one text with commas; read as the tags storm, " \
        "portugal (write a list: tags: [storm, portugal])" in result.output, result.output
    assert "b.md:5: warning: 'tags' is one text with commas; read as the tags storm, " \
        'faro (write a list: tags = ["storm", "faro"])' in result.output
    result, output = build_site(site)
    assert result.exit_code == 0, result.output
    tags = sorted(p.name for p in (output / "tags").iterdir() if p.is_dir())
    assert tags == ["faro", "portugal", "storm"]


def test_a_site_setting_below_the_merge_table_is_told_to_move_above_it(runner, make_site):
    site = make_site({"a.md": STORM}, config='title = "Storm desk"\n\n[merge]\nthreshold = 0.6\n'
                     'base_url = "https://desk.example.org/"\n')
    result = check(runner, site)
    assert "site.toml:5: unknown merge setting 'base_url' (it is a site setting: move it " \
        "above [merge], as TOML puts every key below a [table] line into that table)" \
        in result.output, result.output


def test_two_story_folders_of_one_name_are_one_error_and_the_rest_is_checked(runner,
                                                                            make_site):
    strike = "---\ntitle: Dockers strike\ndate: 2024-11-{day}\nsource: Coastwire\n{extra}---\n" \
        "Dockers walked out on Tuesday, the union said.\n"
    site = make_site({"storm.md": STORM.replace("source:", "sourc:"),
                      "Port-Strike/a.md": strike.format(day=12, extra=""),
                      "Port-Strike/_index.md": "---\ntitle: Port strike\n---\n",
                      "port-strike/b.md": strike.format(day=13, extra=""),
                      "port-strike/c.md": strike.format(day=14, extra="tagz: [port]\n"),
                      "port-strike/d.md": strike.format(day=15, extra="")})
    result = check(runner, site)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert result.output.count("both map to") == 1, result.output
    assert "content/port-strike: story folders 'Port-Strike' and 'port-strike' both map to " \
        "stories/port-strike/ (merge the two folders into one, or rename one)" in result.output
    assert "port-strike/c.md:5: warning: unknown front-matter key 'tagz'" in result.output
    assert "storm.md:4: warning: unknown front-matter key 'sourc'" in result.output
