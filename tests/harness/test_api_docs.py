"""docs/api.md covers the whole test-writing API, and README links it: a new builder,
matcher, fixture or oracle method without a line there fails here."""

import inspect
import re
from pathlib import Path

from etcdfit import matchers, program
from etcdfit.oracle import Oracle

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "api.md").read_text()


def test_every_builder_is_documented_with_every_parameter():
    for name, fn in program.BUILDERS.items():
        if name == "range":
            continue  # another name for get, said so in the doc
        row = next((line for line in DOC.splitlines() if line.startswith(f"| `{fn.__name__}(")), None)
        assert row is not None, f"docs/api.md has no row for {fn.__name__}"
        for param in inspect.signature(fn).parameters:
            assert re.search(rf"\b{param}\b", row), f"{fn.__name__}'s parameter {param} is not in its row"


def test_compare_helpers_matchers_fixtures_and_oracle_methods_are_documented():
    names = ["value(", "version(", "create_revision(", "mod_revision(", "lease_of(", "compare(",
             "ANY", "gt(n)", "ge(n)", "lt(n)", "le(n)", "between(lo, hi)", "length(n)", "unordered(",
             "`None`", ".ok", ".code", ".error", "`performer`", "`performers`", "`oracle`", "`ns`", "`etcd`",
             "ExpectationFailed", "Problem", "where"]
    names += [f"`{m}(" for m, _ in inspect.getmembers(Oracle, inspect.isfunction)
              if not m.startswith("_") and m not in ("close", "wait_ready")]
    missing = [n for n in names if n not in DOC]
    assert not missing, f"docs/api.md does not mention {missing}"
    assert all(hasattr(matchers, m) for m in ("ANY", "gt", "ge", "lt", "le", "between", "length", "unordered"))


def test_readme_links_the_api_doc_from_writing_a_test():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Writing a test", 1)[1].split("\n## ", 1)[0]
    assert "(docs/api.md)" in section
