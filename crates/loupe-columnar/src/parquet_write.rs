//! Tables → Parquet (`loupe convert --to parquet`).
//!
//! Flat columns map to their Arrow types (strings that repeat stay
//! dictionary-encoded); nested and media cells are written as JSON text in a
//! string column marked with the field metadata `loupe.json = "1"`, which the
//! reader turns back into the same cells.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int64Array, NullArray,
    RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{Field, Schema};
use loupe_core::bitmap::Bitmap;
use loupe_core::export::value_to_json;
use loupe_core::{ColumnData, Table, Value};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::ColumnarError;

/// The field metadata key marking a string column whose cells are JSON.
pub const JSON_FIELD: &str = "loupe.json";

/// Rows per row group: small enough that a browser can fetch one at a time.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// The table as Parquet bytes (snappy-compressed, row groups of `ROW_GROUP_ROWS`).
pub fn write_parquet(table: &Table) -> Result<Vec<u8>, ColumnarError> {
    write_parquet_with(table, ROW_GROUP_ROWS)
}

/// The table as Parquet bytes with row groups of `row_group_rows` rows.
pub fn write_parquet_with(table: &Table, row_group_rows: usize) -> Result<Vec<u8>, ColumnarError> {
    let batch = to_record_batch(table)?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(row_group_rows.max(1)))
        .build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, batch.schema(), Some(props))?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(out)
}

/// The table as one Arrow record batch.
pub fn to_record_batch(table: &Table) -> Result<RecordBatch, ColumnarError> {
    let mut fields = Vec::with_capacity(table.columns.len());
    let mut arrays = Vec::with_capacity(table.columns.len());
    for column in &table.columns {
        let (array, json) = to_array(column.data());
        let mut field = Field::new(&column.name, array.data_type().clone(), true);
        if json {
            field = field.with_metadata(HashMap::from([(JSON_FIELD.into(), "1".into())]));
        }
        fields.push(field);
        arrays.push(array);
    }
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(table.row_count()));
    Ok(RecordBatch::try_new_with_options(
        Arc::new(Schema::new(fields)),
        arrays,
        &options,
    )?)
}

fn nulls(valid: &Bitmap) -> Option<NullBuffer> {
    (!valid.all_set()).then(|| NullBuffer::from_iter(valid.iter()))
}

/// One column as an Arrow array, and whether its strings are JSON cells.
fn to_array(data: &ColumnData) -> (ArrayRef, bool) {
    let array: ArrayRef = match data {
        ColumnData::Null(n) => Arc::new(NullArray::new(*n)),
        ColumnData::Bool { values, valid } => {
            Arc::new(BooleanArray::new(values.iter().collect(), nulls(valid)))
        }
        ColumnData::Int { values, valid } => {
            Arc::new(Int64Array::new(values.clone().into(), nulls(valid)))
        }
        ColumnData::Float {
            values,
            valid,
            timestamp: false,
        } => Arc::new(Float64Array::new(values.clone().into(), nulls(valid))),
        ColumnData::Float {
            values,
            valid,
            timestamp: true,
        } => Arc::new(TimestampMillisecondArray::new(
            values.iter().map(|v| v.round() as i64).collect(),
            nulls(valid),
        )),
        ColumnData::Dict { dict, codes, valid } => {
            let keys = Int32Array::new(codes.iter().map(|&c| c as i32).collect(), nulls(valid));
            let values: ArrayRef = Arc::new(StringArray::from_iter_values(dict));
            match DictionaryArray::<Int32Type>::try_new(keys, values) {
                Ok(d) => Arc::new(d),
                Err(_) => strings(data),
            }
        }
        ColumnData::Text { .. } => strings(data),
        ColumnData::Values(values) => {
            let mut b = StringBuilder::new();
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    other => {
                        b.append_value(loupe_core::json::to_string(&value_to_json(other), false))
                    }
                }
            }
            return (Arc::new(b.finish()), true);
        }
    };
    (array, false)
}

fn strings(data: &ColumnData) -> ArrayRef {
    Arc::new(StringArray::from_iter(
        (0..data.len()).map(|r| data.str_at(r)),
    ))
}
