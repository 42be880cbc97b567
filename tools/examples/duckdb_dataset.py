"""The path beyond one browser, worked end to end: an engine (here DuckDB)
prepares a large prediction table as Hive-partitioned Parquet, `loupe dataset`
lists it in a manifest, and Loupe reads it partition by partition from any
static host (S3, GitHub Pages, a folder).

    tools/py/bin/python tools/examples/duckdb_dataset.py <out-dir> [rows]
    cargo run -p loupe-cli -- dataset <out-dir> --name predictions
    # then open ?table=<url of out-dir>/predictions.partitioned-table.json

The same layout comes from Spark (`df.write.partitionBy("split").parquet(...)`)
or Polars (`df.write_parquet(..., partition_by="split")`).
"""

import os
import sys

import duckdb

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 300_000

os.makedirs(out, exist_ok=True)
con = duckdb.connect()
con.execute(
    f"""
    CREATE TABLE predictions AS
    SELECT
        i AS id,
        ['train', 'valid', 'test'][1 + i % 3] AS split,
        ['airplane', 'automobile', 'bird', 'cat', 'deer',
         'dog', 'frog', 'horse', 'ship', 'truck'][1 + (i * 7) % 10] AS truth,
        ['airplane', 'automobile', 'bird', 'cat', 'deer',
         'dog', 'frog', 'horse', 'ship', 'truck'][1 + (i * 7 + (i % 5 = 0)::INT) % 10] AS guess,
        ((i * 2654435761) % 1000) / 1000.0 AS score,
        'media/images/' || (i % 50) || '.png' AS image_path
    FROM range({rows}) t(i)
    """
)
# One folder per split (split=train/ …), ~64k-row row groups inside each file.
con.execute(
    f"""
    COPY predictions TO '{out}/parts'
    (FORMAT PARQUET, PARTITION_BY (split), ROW_GROUP_SIZE 65536, OVERWRITE_OR_IGNORE)
    """
)
print(f"wrote {rows} rows as Hive-partitioned Parquet under {out}/parts")
