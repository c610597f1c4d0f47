"""Print the Python versions pyproject.toml declares (its classifiers), one per line."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
CLASSIFIER = re.compile(r"Programming Language :: Python :: (\d+\.\d+)$")


def declared() -> list[str]:
    """The X.Y versions of the "Programming Language :: Python :: X.Y" classifiers."""
    classifiers = tomllib.loads(PYPROJECT.read_text())["project"]["classifiers"]
    return [m[1] for c in classifiers if (m := CLASSIFIER.match(c))]


if __name__ == "__main__":
    print("\n".join(declared()))
