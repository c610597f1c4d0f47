"""Running a docs sample's pytest test functions as tests: shared by the docs' runners.

tests/doc_samples.py (the testing page, under Sybil) and
tests-airflow/test_docs_airflow.py (the Airflow page) both call the
``test_*`` functions a sample defines, with the fixtures their parameters
name, as pytest would; this module imports nothing beyond the standard
library, so the Airflow environments (no Sybil) can import it too.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping

TEST_FUNCTION = re.compile(r"^def (test_\w+)\(", flags=re.MULTILINE)
"""A test function defined at a sample's top level; its group is the name."""


def defines_tests(source: str) -> bool:
    """Whether the sample defines a pytest test function."""
    return TEST_FUNCTION.search(source) is not None


def call_tests(
    source: str, namespace: Mapping[str, object], fixture: Callable[[str], object]
) -> None:
    """Call each test function `source` defined in `namespace`, given the fixtures it names."""
    for name in TEST_FUNCTION.findall(source):
        test = namespace[name]
        assert callable(test)
        test(**{argument: fixture(argument) for argument in inspect.signature(test).parameters})
