"""Print pip constraints pinning each dependency to the lowest version pyproject.toml allows.

With no arguments: the runtime dependencies and the ``testing``, ``cli``
and ``async`` extras, what users install; ``make test-lowest`` installs
``.[dev]`` under these constraints and runs the tests. With extras named
(``airflow``): only those extras' own requirements, which the ``floors``
line of ``.ci/airflow-lines.txt`` must pin (``tests/test_release.py``
checks). Either way, a floor we declare is a floor we have tested.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib  # Python >= 3.11; ruff, targeting 3.10, files it with third-party modules

USER_EXTRAS = ("testing", "cli", "async")
FLOOR = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[[^\]]*\])?\s*>=\s*([0-9][^,;\s]*)")


def lowest_pins(pyproject: Path, extras: list[str]) -> list[str]:
    """``name==version`` for every requirement with a ``>=`` floor; extras dropped.

    ``extras`` empty means the dependencies and `USER_EXTRAS`; the
    project's requirements of its own extras are left to those extras.
    """
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = [] if extras else list(project["dependencies"])
    for extra in extras or USER_EXTRAS:
        requirements += project["optional-dependencies"][extra]
    pins = []
    for requirement in requirements:
        if requirement.startswith(project["name"] + "["):
            continue
        match = FLOOR.match(requirement)
        if match is None:
            sys.exit(f"no >= floor to test in requirement {requirement!r}")
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


if __name__ == "__main__":
    pyproject = Path(__file__).parent.parent / "pyproject.toml"
    print("\n".join(lowest_pins(pyproject, sys.argv[1:])))
