"""Which course modules exist: the packages under :mod:`cbec.modules`, found, not listed.

Adding a module adds a package; nothing shared names one.  A module package may hold an
``assignment`` module (its nbgrader assignment's declaration, same name as the package) and
a ``DATASETS`` list in its ``datasets`` module (its entries in the dataset catalogue).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

_HERE = Path(__file__).parent


def module_names() -> list[str]:
    """Names of the course-module packages, e.g. ``["data_operation", "platform_operation"]``."""
    return sorted(info.name for info in pkgutil.iter_modules([str(_HERE)]) if info.ispkg)


def assignment_modules() -> list[str]:
    """Importable names of every module's assignment (``cbec.modules.<name>.assignment``)."""
    return [f"cbec.modules.{name}.assignment" for name in module_names() if (_HERE / name / "assignment.py").is_file()]


def contributed(attribute: str, submodule: str) -> list:
    """``cbec.modules.<name>.<submodule>.<attribute>`` of every module that has it, in name order."""
    found = []
    for name in module_names():
        if (_HERE / name / f"{submodule}.py").is_file():
            found.extend(getattr(importlib.import_module(f"cbec.modules.{name}.{submodule}"), attribute, []))
    return found
