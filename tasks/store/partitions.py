"""Shape frames into stored partitions: exactly the schema's columns and types, in a stable row order."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from tasks.contract import schema

PARTITION = "release_year"


def dataset_schema(dataset: str) -> pa.Schema:
    """Full schema of a known dataset (ValueError for unknown names)."""
    if dataset not in schema.DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; known: {sorted(schema.DATASETS)}")
    return schema.DATASETS[dataset]


def stored_schema(dataset: str) -> pa.Schema:
    """Schema of the file inside a partition: the partition column lives in the path, not the file."""
    full = dataset_schema(dataset)
    return full.remove(full.get_field_index(PARTITION)) if PARTITION in full.names else full


def to_table(dataset: str, release_year: int, df: pd.DataFrame) -> pa.Table:
    """Cast a frame to the stored schema, in schema column order and a stable row order."""
    target = stored_schema(dataset)
    extra = sorted(set(df.columns) - set(dataset_schema(dataset).names))
    if extra:
        raise ValueError(f"{dataset}: columns not in tasks.contract.schema.DATASETS[{dataset!r}]: {extra}")
    if PARTITION in df.columns:
        years = pd.to_numeric(df[PARTITION], errors="coerce")
        if years.isna().any() or (years != int(release_year)).any():
            raise ValueError(f"{dataset}: rows with {PARTITION} other than the partition {int(release_year)}")
    arrays = []
    for field in target:
        if field.name not in df.columns:
            if not field.nullable:
                raise ValueError(f"{dataset}: missing required column {field.name!r}")
            arrays.append(pa.nulls(len(df), field.type))
            continue
        try:
            arrays.append(pa.array(df[field.name], type=field.type, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
            raise ValueError(f"{dataset}.{field.name}: cannot store as {field.type}: {exc}") from exc
    table = pa.Table.from_arrays(arrays, schema=target)
    keys = [k for k in schema.SORT_KEYS.get(dataset, []) if k in target.names]
    order = keys + [name for name in target.names if name not in keys]
    return table.sort_by([(name, "ascending") for name in order])


def conform(table: pa.Table, target: pa.Schema) -> pa.Table:
    """Select a stored table's columns in schema order; columns added to the schema later read as null."""
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(len(table), f.type)
               for f in target]
    return pa.Table.from_arrays(columns, schema=target)
