"""What every module's simulator shares: keyword configs and named tables."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import pandas as pd


def frozen_mapping(mapping) -> Mapping:
    """A read-only copy of ``mapping``, for dict-valued fields of frozen config dataclasses."""
    return MappingProxyType(dict(mapping))


def config_from(config_type: type, config, overrides: dict):
    """``config`` itself, or a ``config_type`` built from keyword ``overrides`` (never both)."""
    if config is None:
        return config_type(**overrides)
    if overrides:
        raise TypeError(f"Pass either a {config_type.__name__} or keyword overrides, not both.")
    return config


class SimulatedTables:
    """Mixin of a simulator's result: ``TABLES`` names the attributes that are its tables."""

    TABLES: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in self.TABLES}
