"""The dataset catalogue: every table a notebook uses, with a documented, validated schema."""

from cbec.data.catalogue import CatalogueEntry, Dataset, UnknownDatasetError, catalogue, entries, load
from cbec.data.materialise import load_materialised, materialise
from cbec.data.schemas import Column, SchemaError, TableSchema, table_schema

__all__ = ["CatalogueEntry", "Column", "Dataset", "SchemaError", "TableSchema", "UnknownDatasetError", "catalogue",
           "entries", "load", "load_materialised", "materialise", "table_schema"]
