"""The docs' browser check (.ci/docs_in_browser.py) tells a page showing its code from one not.

`make docs-browser` runs it on the built site in Chromium; here its
reading of a page is checked on pages written by hand.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parent.parent
MARKDOWN = """# A page

Some text.

```python
import boto3
```

- a list

  ```sh
  er-jobs get customers $JOB
  ```
"""


@pytest.fixture(scope="module")
def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "docs_in_browser", ROOT / ".ci" / "docs_in_browser.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def page(tmp_path: Path) -> Path:
    written = tmp_path / "page.md"
    written.write_text(MARKDOWN)
    return written


def test_a_page_showing_each_block_as_code_in_order_passes(checker: ModuleType, page: Path) -> None:
    dom = (
        "<html><body><article><h1>A page</h1><p>Some text.</p>"
        '<div class="highlight"><pre><span></span><code><span class="kn">import</span> '
        "<span>boto3</span>\n</code></pre></div><ul><li>a list<pre><code>er-jobs get "
        "customers $JOB</code></pre></li></ul></article></body></html>"
    )

    assert checker._problems(page, dom) == []


def test_a_block_shown_as_text_is_reported(checker: ModuleType, page: Path) -> None:
    dom = (
        "<html><body><article><h1>A page</h1><p>```python import boto3 ```</p>"
        "<pre><code>er-jobs get customers $JOB</code></pre></article></body></html>"
    )

    assert checker._problems(page, dom) == [
        "no code block (in order) beginning 'import boto3'",
        "shows '```' as text",
    ]


def test_blocks_out_of_order_a_snippet_marker_or_no_text_are_reported(
    checker: ModuleType, page: Path
) -> None:
    # A "<" in text is serialized as &lt; by Chromium's --dump-dom, as here.
    swapped = (
        '<html><body><article><p>--8&lt;-- "examples/polling.py"</p>'
        "<pre>er-jobs get customers $JOB</pre><pre>import boto3</pre></article></body></html>"
    )

    assert checker._problems(page, swapped) == [
        "no code block (in order) beginning 'er-jobs get customers $JOB'",
        "shows '--8<--' as text",
    ]
    assert "no article text: the page did not render" in checker._problems(page, "<html></html>")
