"""MkDocs hooks: the changelog page is CHANGELOG.md itself, on the site.

docs/changelog.md links to CHANGELOG.md, which is what GitHub shows; a
snippet marker there would show as a raw ``--8<--`` line on GitHub.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHANGELOG = Path(__file__).parent.parent / "CHANGELOG.md"


def on_page_markdown(markdown: str, *, page: Any, **_: Any) -> str:
    """The changelog page's text: CHANGELOG.md's; any other page's unchanged."""
    if page.file.src_uri == "changelog.md":
        return CHANGELOG.read_text(encoding="utf-8")
    return markdown
