"""The example files the docs show inline are the files the tests run, to the byte.

The pages show them inline, not through a snippet marker, so that they read
the same on GitHub as on the documentation site.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SHOWN = re.compile(
    r"<!-- the file (?P<path>\S+), checked by tests/test_docs_examples.py -->\n"
    r"```python\n(?P<code>.*?)```",
    flags=re.DOTALL,
)
PAGES = sorted((ROOT / "docs").glob("*.md"))


def _shown(page: Path) -> list[tuple[str, str]]:
    return [(match["path"], match["code"]) for match in SHOWN.finditer(page.read_text())]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_each_example_shown_is_the_file_itself(page: Path) -> None:
    for path, code in _shown(page):
        assert code == (ROOT / path).read_text(), (
            f"{page.name} shows an old {path}: paste the file's current text into the block"
        )


def test_the_examples_the_docs_show_are_found() -> None:
    shown = {path for page in PAGES for path, _ in _shown(page)}

    assert shown == {
        "examples/polling.py",
        "examples/test_polling.py",
        "examples/airflow/entity_resolution_pipeline.py",
    }


def test_no_page_has_a_snippet_marker_github_would_show_raw() -> None:
    for page in [*PAGES, ROOT / "README.md"]:
        assert "--8<--" not in page.read_text(), page.name
