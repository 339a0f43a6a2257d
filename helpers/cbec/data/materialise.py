"""Write catalogue datasets to Parquet, with a README saying where each came from."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from cbec import paths
from cbec.data.catalogue import Dataset, UnknownDatasetError, entries, entry, load


def materialise(out_dir: Path | None = None, datasets: list[str] | None = None, force: bool = False,
                progress: bool = True) -> pd.DataFrame:
    """Write ``out_dir/<dataset>/<table>.parquet`` for each dataset; skip ones already written."""
    out_dir = Path(out_dir) if out_dir else paths.generated_data_dir()
    names = datasets or list(entries())
    unknown = [n for n in names if n not in entries()]
    if unknown:
        raise UnknownDatasetError(f"No dataset(s) {', '.join(unknown)}. Available: {', '.join(entries())}.")
    written = []
    for name in tqdm(names, desc="Materialising datasets", unit="dataset", disable=not progress):
        folder = out_dir / name
        done = folder / ".complete"
        if done.exists() and not force:
            for file in sorted(folder.glob("*.parquet")):
                written.append((name, file.stem, None, file, "kept"))
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for table, frame in load(name).items():
            file = folder / f"{table}.parquet"
            frame.to_parquet(file, index=False)
            written.append((name, table, len(frame), file, "written"))
        done.touch()  # written last: an interrupted run is redone, not trusted
    _write_readme(out_dir)
    return pd.DataFrame(written, columns=["dataset", "table", "rows", "path", "status"])


def load_materialised(name: str, data_dir: Path | None = None) -> Dataset:
    """Read a materialised dataset back, validating it."""
    folder = (Path(data_dir) if data_dir else paths.generated_data_dir()) / name
    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"No materialised dataset {name!r} in {folder}: run `cbec data` first.")
    return Dataset(name, {f.stem: pd.read_parquet(f) for f in files}, entry(name).schemas)


def _write_readme(out_dir: Path) -> None:
    lines = ["# Generated datasets", "",
             "Written by `cbec data` (cbec.data.materialise); safe to delete, rebuilt on demand.", ""]
    for found in entries().values():
        lines += [f"## {found.name} ({found.kind})", "", found.description, "", f"Source: {found.source}.", ""]
        if found.licence:
            lines += [f"Licence: {found.licence}", ""]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "README.md").write_text("\n".join(lines), encoding="utf-8")
