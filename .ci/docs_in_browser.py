"""The built docs site, opened in a real browser: each page shows code where its markdown has code.

`make docs-browser` (part of `make check`) builds the site, serves it on
127.0.0.1 and opens every page in headless Chromium, which runs the
theme's scripts; ``--dump-dom`` gives the page as the browser built it.
Each fenced block of the page's markdown (the changelog page's is
CHANGELOG.md, as docs/hooks.py makes it) must be a code block there, in
order, beginning with the same line; and no page may show a raw fence or
a snippet marker as text. Usage: docs_in_browser.py SITE_DIRECTORY.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).parent.parent
FENCE = re.compile(
    r"^(?P<indent>[ ]*)```(?P<language>[a-z]*)\n(?P<body>.*?)^(?P=indent)```$",
    flags=re.DOTALL | re.MULTILINE,
)
# As the machine's notes say to start it: no first-run work, no connections of its own.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Page(HTMLParser):
    """The text of each ``<pre>`` of a page, and the text of the rest of its article."""

    def __init__(self) -> None:
        super().__init__()
        self.code_blocks: list[str] = []
        self.prose: list[str] = []
        self._pre_depth = 0
        self._article_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            if self._pre_depth == 0:
                self.code_blocks.append("")
            self._pre_depth += 1
        elif tag == "article":
            self._article_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
        elif tag == "article" and self._article_depth:
            self._article_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._pre_depth:
            self.code_blocks[-1] += data
        elif self._article_depth:
            self.prose.append(data)


def _words(text: str) -> str:
    return " ".join(text.split())


def _first_lines(markdown: str) -> list[str]:
    """Each fenced block's first non-blank line, whitespace collapsed."""
    lines = []
    for fence in FENCE.finditer(markdown):
        body = textwrap.dedent(fence["body"])
        lines.append(_words(next(line for line in body.splitlines() if line.strip())))
    return lines


def _source(page: Path) -> str:
    if page.name == "changelog.md":  # docs/hooks.py shows CHANGELOG.md there
        return (ROOT / "CHANGELOG.md").read_text()
    return page.read_text()


def _url(base: str, page: Path) -> str:
    return f"{base}/" if page.stem == "index" else f"{base}/{page.stem}/"


def _dump_dom(chromium: str, url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        shown = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    return shown.stdout


def _problems(page: Path, dom: str) -> list[str]:
    parsed = _Page()
    parsed.feed(dom)
    shown = [_words(block) for block in parsed.code_blocks]
    prose = _words(" ".join(parsed.prose))
    problems = []
    if not prose:
        problems.append("no article text: the page did not render")
    at = 0
    for line in _first_lines(_source(page)):
        found = next((i for i in range(at, len(shown)) if shown[i].startswith(line)), None)
        if found is None:
            problems.append(f"no code block (in order) beginning {line!r}")
        else:
            at = found + 1
    for raw in ("```", "--8<--"):
        if raw in prose:
            problems.append(f"shows {raw!r} as text")
    return problems


def main(site: Path) -> int:
    """Open every page of the built site in Chromium and report what it does not show."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no chromium on PATH: bash .ci/ensure_chromium.sh installs it", file=sys.stderr)
        return 2
    handler = functools.partial(_QuietHandler, directory=str(site))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        pages = sorted((ROOT / "docs").glob("*.md"))
        failed = 0
        for page in pages:
            problems = _problems(page, _dump_dom(chromium, _url(base, page)))
            blocks = len(_first_lines(_source(page)))
            print(f"{page.name}: {'ok' if not problems else 'FAILED'}, {blocks} code blocks")
            for problem in problems:
                print(f"  {problem}")
            failed += bool(problems)
        server.shutdown()
    version = subprocess.run([chromium, "--version"], capture_output=True, text=True, check=False)
    print(f"{len(pages) - failed} of {len(pages)} pages as their markdown says")
    print(f"in {version.stdout.strip()}")
    return 1 if failed else 0


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Say nothing per request."""


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
