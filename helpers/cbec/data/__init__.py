"""The dataset catalogue: every table a notebook uses, with a documented, validated schema."""

from cbec.data.catalogue import CATALOGUE, Dataset, catalogue, load
from cbec.data.materialise import load_materialised, materialise
from cbec.data.schemas import SCHEMAS, Column, SchemaError, TableSchema

__all__ = ["CATALOGUE", "SCHEMAS", "Column", "Dataset", "SchemaError", "TableSchema", "catalogue", "load",
           "load_materialised", "materialise"]
