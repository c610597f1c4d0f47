"""The package's public surface: __all__, lazy models, version, py.typed."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest

import entityresolution_jobs as erj


def test_every_name_in_all_is_importable_and_documented() -> None:
    for name in erj.__all__:
        value = getattr(erj, name)
        if name != "__version__":
            assert value.__doc__, f"{name} has no docstring"


def test_dir_lists_the_lazily_loaded_models() -> None:
    assert {"MatchingJob", "JobMetrics", "OutputSource"} <= set(dir(erj))


def test_an_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        erj.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def _loaded_after(code: str, modules: list[str]) -> list[str]:
    probe = f"import sys; {code}; print(*[m in sys.modules for m in {modules!r}])"
    return subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.split()


def test_importing_the_package_defers_boto3_and_pydantic_models_until_used() -> None:
    heavy = ["boto3", "pydantic.main", "moto", "aiobotocore"]

    assert _loaded_after("import entityresolution_jobs", heavy) == ["False"] * 4
    assert _loaded_after("import entityresolution_jobs._pytest_plugin", heavy) == ["False"] * 4
    assert _loaded_after(
        "import entityresolution_jobs as e; e.MatchingJob; e.EntityResolutionJobs", heavy
    ) == ["False", "True", "False", "False"]
    # boto3 loads to build on its default session; a botocore session never needs it.
    build = "from entityresolution_jobs import EntityResolutionJobs as E; import botocore.session"
    on_default = f"{build}; E(region_name='us-east-1').client"
    on_botocore = f"{build}; E(session=botocore.session.Session(), region_name='us-east-1').client"
    assert _loaded_after(on_default, heavy) == ["True", "False", "False", "False"]
    assert _loaded_after(on_botocore, heavy) == ["False"] * 4


def test_the_package_ships_its_type_marker_and_a_version() -> None:
    assert resources.files("entityresolution_jobs").joinpath("py.typed").is_file()
    assert erj.__version__.count(".") >= 2
