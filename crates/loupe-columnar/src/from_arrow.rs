//! Arrow arrays → Loupe column storage.
//!
//! Flat types are copied straight into typed storage (ints, floats, bools,
//! timestamps as epoch ms); dictionary-encoded strings keep their codes (each
//! batch's own dictionary — Arrow streams may replace it between batches — is
//! merged when batches are concatenated); plain strings become text storage,
//! or dictionary storage when they repeat. Nested values (lists, structs, maps)
//! become JSON cells, so a struct shaped like a W&B media object (`_type:
//! "image-file"`, `path`, …) is read as that object.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{DataType, FieldRef, TimeUnit};
use loupe_core::bitmap::Bitmap;
use loupe_core::column_builder::ColumnBuilder;
use loupe_core::json::{Json, Number};
use loupe_core::value::CellHint;
use loupe_core::{Column, ColumnData, Table};

/// Collects record batches column by column, each batch appended in place as
/// it comes (so the work overlaps a download, and `finish` copies nothing).
#[derive(Debug, Default)]
pub struct BatchCollector {
    /// The schema's fields (from the first batch, if not given): the column
    /// names, and each column's type for a table without rows.
    fields: Vec<FieldRef>,
    /// Each column's rows so far (`None` before the first batch).
    columns: Vec<Option<ColumnData>>,
    rows: usize,
    /// The rows expected in all (a caller's estimate): room for them is made
    /// once, so no column doubles and copies itself midway.
    expected: usize,
}

impl BatchCollector {
    pub fn new() -> Self {
        BatchCollector::default()
    }

    /// Starts with the columns of `schema` (so a file without rows still has them).
    pub fn with_schema(schema: &arrow_schema::Schema) -> Self {
        BatchCollector {
            columns: vec![None; schema.fields().len()],
            fields: schema.fields().iter().cloned().collect(),
            ..BatchCollector::default()
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Makes room for `rows` rows in all (an estimate; more still fit).
    pub fn expect_rows(&mut self, rows: usize) {
        self.expected = rows;
        let more = rows.saturating_sub(self.rows);
        for column in self.columns.iter_mut().flatten() {
            column.reserve(more);
        }
    }

    /// Adds one batch; its columns must be those of the first.
    pub fn push(&mut self, batch: &RecordBatch) -> Result<(), crate::ColumnarError> {
        let schema = batch.schema();
        if self.fields.is_empty() && self.rows == 0 && !schema.fields().is_empty() {
            self.fields = schema.fields().iter().cloned().collect();
            self.columns = vec![None; self.fields.len()];
        } else if schema.fields().len() != self.fields.len()
            || schema
                .fields()
                .iter()
                .zip(&self.fields)
                .any(|(f, g)| f.name() != g.name())
        {
            return Err(crate::ColumnarError::Schema(
                "a record batch's columns differ from the first batch's".into(),
            ));
        }
        let converted = batch
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(array, field)| field_data(array.as_ref(), field));
        self.append(converted, batch.num_rows());
        Ok(())
    }

    /// Appends one batch's columns in order; the first batch's columns are
    /// taken as they are, with room made for the rows expected.
    fn append(&mut self, columns: impl Iterator<Item = ColumnData>, rows: usize) {
        let room = self.expected.saturating_sub(self.rows);
        for (column, data) in self.columns.iter_mut().zip(columns) {
            match column {
                Some(so_far) => so_far.append(data),
                None => {
                    let mut first = data;
                    first.reserve(room.saturating_sub(first.len()));
                    *column = Some(first);
                }
            }
        }
        self.rows += rows;
    }

    /// Adds a batch already converted to Loupe storage (`ipc_progressive`),
    /// one column per name. The first batch's columns are taken as they are.
    pub(crate) fn push_columns(
        &mut self,
        columns: Vec<ColumnData>,
        rows: usize,
    ) -> Result<(), crate::ColumnarError> {
        if columns.len() != self.fields.len() || columns.iter().any(|c| c.len() != rows) {
            return Err(crate::ColumnarError::Schema(
                "a record batch's columns differ from the schema".into(),
            ));
        }
        self.append(columns.into_iter(), rows);
        Ok(())
    }

    /// The table of every batch pushed so far. Without any, each column is
    /// empty and of its field's type (as from a batch of no rows).
    pub fn finish(self) -> Result<Table, crate::ColumnarError> {
        let columns = self
            .fields
            .iter()
            .zip(self.columns)
            .map(|(field, data)| {
                let data = data.unwrap_or_else(|| {
                    field_data(
                        arrow_array::new_empty_array(field.data_type()).as_ref(),
                        field,
                    )
                });
                Column::new(field.name().clone(), None, data)
            })
            .collect();
        Ok(Table::from_columns(columns)?)
    }
}

/// A batch's array for `field`: columns Loupe wrote as JSON text
/// (`parquet_write::JSON_FIELD`) are read back as their cells.
fn field_data(array: &dyn Array, field: &arrow_schema::Field) -> ColumnData {
    let json = field
        .metadata()
        .get(crate::parquet_write::JSON_FIELD)
        .is_some_and(|v| v == "1");
    if json {
        json_cells(array)
    } else {
        column_data(array)
    }
}

/// A whole table from batches.
pub fn table_from_batches<'a>(
    batches: impl IntoIterator<Item = &'a RecordBatch>,
) -> Result<Table, crate::ColumnarError> {
    let mut c = BatchCollector::new();
    for b in batches {
        c.push(b)?;
    }
    c.finish()
}

fn validity(array: &dyn Array) -> Bitmap {
    match array.logical_nulls() {
        Some(nulls) => Bitmap::from_bools(nulls.iter()),
        None => Bitmap::filled(array.len(), true),
    }
}

fn ints<T: ArrowPrimitiveType>(array: &dyn Array, to_i64: fn(T::Native) -> i64) -> ColumnData
where
    T::Native: Copy,
{
    let a = array.as_primitive::<T>();
    ColumnData::Int {
        values: a.values().iter().map(|&v| to_i64(v)).collect(),
        valid: validity(array),
    }
}

fn floats<T: ArrowPrimitiveType>(
    array: &dyn Array,
    to_f64: impl Fn(T::Native) -> f64,
    timestamp: bool,
) -> ColumnData
where
    T::Native: Copy,
{
    let a = array.as_primitive::<T>();
    ColumnData::Float {
        values: a.values().iter().map(|&v| to_f64(v)).collect(),
        valid: validity(array),
        timestamp,
    }
}

/// Epoch milliseconds per unit of a timestamp.
pub(crate) fn ms_per(unit: &TimeUnit) -> f64 {
    match unit {
        TimeUnit::Second => 1000.0,
        TimeUnit::Millisecond => 1.0,
        TimeUnit::Microsecond => 1e-3,
        TimeUnit::Nanosecond => 1e-6,
    }
}

/// One Arrow array as column storage.
pub fn column_data(array: &dyn Array) -> ColumnData {
    match array.data_type() {
        DataType::Null => ColumnData::Null(array.len()),
        DataType::Boolean => ColumnData::Bool {
            values: Bitmap::from_bools(array.as_boolean().values().iter()),
            valid: validity(array),
        },
        DataType::Int8 => ints::<Int8Type>(array, i64::from),
        DataType::Int16 => ints::<Int16Type>(array, i64::from),
        DataType::Int32 => ints::<Int32Type>(array, i64::from),
        DataType::Int64 => ints::<Int64Type>(array, |v| v),
        DataType::UInt8 => ints::<UInt8Type>(array, i64::from),
        DataType::UInt16 => ints::<UInt16Type>(array, i64::from),
        DataType::UInt32 => ints::<UInt32Type>(array, i64::from),
        DataType::UInt64 => {
            let a = array.as_primitive::<UInt64Type>();
            if a.values().iter().all(|&v| i64::try_from(v).is_ok()) {
                ints::<UInt64Type>(array, |v| v as i64)
            } else {
                floats::<UInt64Type>(array, |v| v as f64, false)
            }
        }
        DataType::Float16 => floats::<Float16Type>(array, f64::from, false),
        DataType::Float32 => floats::<Float32Type>(array, f64::from, false),
        DataType::Float64 => floats::<Float64Type>(array, |v| v, false),
        DataType::Decimal128(_, scale) => {
            let div = 10f64.powi(i32::from(*scale));
            floats::<Decimal128Type>(array, move |v| v as f64 / div, false)
        }
        DataType::Timestamp(unit, _) => {
            let k = ms_per(unit);
            let ms = move |v: i64| v as f64 * k;
            match unit {
                TimeUnit::Second => floats::<TimestampSecondType>(array, ms, true),
                TimeUnit::Millisecond => floats::<TimestampMillisecondType>(array, ms, true),
                TimeUnit::Microsecond => floats::<TimestampMicrosecondType>(array, ms, true),
                TimeUnit::Nanosecond => floats::<TimestampNanosecondType>(array, ms, true),
            }
        }
        DataType::Date32 => floats::<Date32Type>(array, |d| f64::from(d) * 86_400_000.0, true),
        DataType::Date64 => floats::<Date64Type>(array, |d| d as f64, true),
        DataType::Utf8 => utf8(array.as_string::<i32>()),
        DataType::LargeUtf8 => utf8(array.as_string::<i64>()),
        DataType::Utf8View => strings(array, |r| array.as_string_view().value(r)),
        DataType::Dictionary(_, value_type)
            if matches!(
                value_type.as_ref(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            dictionary_strings(array)
        }
        _ => nested(array),
    }
}

/// Strings read through a builder, which keeps repeating values as a
/// dictionary and switches to text once they prove mostly distinct.
fn strings<'a>(array: &'a dyn Array, value: impl Fn(usize) -> &'a str) -> ColumnData {
    let mut b = ColumnBuilder::new();
    let nulls = array.logical_nulls();
    for r in 0..array.len() {
        if nulls.as_ref().is_some_and(|n| n.is_null(r)) {
            b.push_null();
        } else {
            b.push_str(value(r));
        }
    }
    b.finish(&CellHint::None)
}

/// Plain Arrow strings: repeating ones (labels, splits) become a dictionary
/// through the builder; mostly distinct ones (captions, paths) are copied as
/// text storage in one go (offsets rebased, bytes copied).
fn utf8<O: arrow_array::OffsetSizeTrait>(array: &arrow_array::GenericStringArray<O>) -> ColumnData {
    let offsets = array.value_offsets();
    let (first, last) = (offsets[0].as_usize(), offsets[array.len()].as_usize());
    if repeats(array) || last - first > u32::MAX as usize {
        return strings(array, |r| array.value(r));
    }
    ColumnData::Text {
        offsets: offsets
            .iter()
            .map(|o| (o.as_usize() - first) as u32)
            .collect(),
        bytes: array.value_data()[first..last].to_vec(),
        valid: validity(array),
    }
}

/// Whether a sample of the first values repeats enough to be worth a dictionary.
fn repeats<O: arrow_array::OffsetSizeTrait>(array: &arrow_array::GenericStringArray<O>) -> bool {
    let sample = array.len().min(2048);
    mostly_repeats(
        (0..sample)
            .filter(|&r| array.is_valid(r))
            .map(|r| array.value(r).as_bytes()),
    )
}

/// Whether these (sampled, non-null) strings repeat enough for a dictionary:
/// at most one distinct value in four.
pub(crate) fn mostly_repeats<'a>(values: impl Iterator<Item = &'a [u8]>) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut present = 0usize;
    for v in values {
        present += 1;
        seen.insert(v);
    }
    seen.len() * 4 <= present
}

/// A dictionary array of strings keeps its codes and its (batch's own) dictionary.
fn dictionary_strings(array: &dyn Array) -> ColumnData {
    let dict_array = array.as_any_dictionary();
    let values = dict_array.values();
    let (mut dict, _) = dictionary_values(values.as_ref());
    // An empty dictionary (a column of nulls, or an empty batch) has no key
    // to normalize (arrow-rs asserts there is one): every cell is null, coded
    // to a placeholder entry.
    let keys = if values.is_empty() {
        dict.push(String::new());
        vec![usize::MAX; array.len()]
    } else {
        dict_array.normalized_keys()
    };
    // A null key, or a key pointing at a null string, is a null cell.
    let key_nulls = dict_array.keys().logical_nulls();
    let valid = Bitmap::from_bools((0..array.len()).map(|r| {
        key_nulls.as_ref().is_none_or(|n| n.is_valid(r))
            && keys
                .get(r)
                .is_some_and(|&k| k < values.len() && values.is_valid(k))
    }));
    let codes = keys
        .iter()
        .map(|&k| if k < dict.len() { k as u32 } else { 0 })
        .collect();
    ColumnData::dictionary(dict, codes, valid)
}

/// A dictionary's strings (a null entry as "") and which entries are not null.
pub(crate) fn dictionary_values(values: &dyn Array) -> (Vec<String>, Vec<bool>) {
    let text = |i: usize| match values.data_type() {
        DataType::LargeUtf8 => values.as_string::<i64>().value(i).to_string(),
        DataType::Utf8View => values.as_string_view().value(i).to_string(),
        _ => values.as_string::<i32>().value(i).to_string(),
    };
    (0..values.len())
        .map(|i| {
            if values.is_null(i) {
                (String::new(), false)
            } else {
                (text(i), true)
            }
        })
        .unzip()
}

/// Strings that are JSON cells (written so by `parquet_write`), parsed back.
/// (The reader may hand them over plain or dictionary-encoded.)
fn json_cells(array: &dyn Array) -> ColumnData {
    let mut b = ColumnBuilder::new();
    for r in 0..array.len() {
        match cell_json(array, r) {
            Json::Null => b.push_null(),
            Json::String(text) => match loupe_core::json::parse(text.as_bytes()) {
                Ok(json) => b.push_json(&json),
                Err(e) => b.push_other(loupe_core::Value::Invalid(format!("JSON cell: {e}"))),
            },
            other => b.push_json(&other),
        }
    }
    b.finish(&CellHint::None)
}

/// Everything else, cell by cell through JSON.
fn nested(array: &dyn Array) -> ColumnData {
    let mut b = ColumnBuilder::new();
    for r in 0..array.len() {
        b.push_json(&cell_json(array, r));
    }
    b.finish(&CellHint::None)
}

fn float_json(f: f64) -> Json {
    Json::Number(Number::Float(f))
}

/// Cell `r` of any array as JSON.
pub fn cell_json(array: &dyn Array, r: usize) -> Json {
    if array.is_null(r) {
        return Json::Null;
    }
    match array.data_type() {
        DataType::Struct(fields) => {
            let s = array.as_struct();
            Json::Object(
                fields
                    .iter()
                    .zip(s.columns())
                    .map(|(f, c)| (f.name().clone(), cell_json(c.as_ref(), r)))
                    .collect(),
            )
        }
        DataType::List(_) => list_json(&array.as_list::<i32>().value(r)),
        DataType::LargeList(_) => list_json(&array.as_list::<i64>().value(r)),
        DataType::FixedSizeList(_, _) => list_json(&array.as_fixed_size_list().value(r)),
        DataType::Map(_, _) => {
            let entries = array.as_map().value(r);
            let keys = entries.column(0);
            let values = entries.column(1);
            Json::Object(
                (0..entries.len())
                    .map(|i| {
                        let key = match cell_json(keys.as_ref(), i) {
                            Json::String(s) => s,
                            other => loupe_core::json::to_string(&other, false),
                        };
                        (key, cell_json(values.as_ref(), i))
                    })
                    .collect(),
            )
        }
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
            Json::String(format!("<{} bytes>", binary_len(array, r)))
        }
        _ => scalar_json(array, r),
    }
}

fn binary_len(array: &dyn Array, r: usize) -> usize {
    match array.data_type() {
        DataType::LargeBinary => array.as_binary::<i64>().value(r).len(),
        DataType::BinaryView => array.as_binary_view().value(r).len(),
        _ => array.as_binary::<i32>().value(r).len(),
    }
}

fn list_json(items: &dyn Array) -> Json {
    Json::Array((0..items.len()).map(|i| cell_json(items, i)).collect())
}

/// A flat cell through the column conversion (one-row slice), as JSON.
fn scalar_json(array: &dyn Array, r: usize) -> Json {
    let flat = matches!(
        array.data_type(),
        DataType::Null
            | DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Float16
            | DataType::Float32
            | DataType::Float64
            | DataType::Decimal128(_, _)
            | DataType::Timestamp(_, _)
            | DataType::Date32
            | DataType::Date64
            | DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Dictionary(_, _)
    );
    if !flat {
        // A type with no conversion: say what it is rather than guess.
        return Json::String(format!("<{}>", array.data_type()));
    }
    if let Some(d) = array.as_any_dictionary_opt() {
        let keys = d.normalized_keys();
        return match keys.get(r) {
            Some(&k) if k < d.values().len() => cell_json(d.values().as_ref(), k),
            _ => Json::Null,
        };
    }
    let one = array.slice(r, 1);
    match column_data(one.as_ref()).get(0) {
        loupe_core::Value::Null => Json::Null,
        loupe_core::Value::Bool(b) => Json::Bool(b),
        loupe_core::Value::Int(i) => Json::Number(Number::Int(i)),
        loupe_core::Value::Float(f) | loupe_core::Value::Timestamp(f) => float_json(f),
        loupe_core::Value::Str(s) => Json::String(s),
        other => Json::String(other.display()),
    }
}
