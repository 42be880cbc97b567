//! One column's rows converted to Loupe storage as its bytes arrive.

use loupe_core::ColumnData;
use loupe_core::bitmap::Bitmap;
use loupe_core::column_builder::ColumnBuilder;
use loupe_core::value::CellHint;

use super::Window;
use super::plan::{ColumnPlan, Fixed, Kind, extend_floats, extend_ints};
use crate::ColumnarError;
use crate::from_arrow::mostly_repeats;

/// Validity built row by row; a column with no null cell never makes a bitmap.
#[derive(Default)]
struct Validity {
    bits: Option<Bitmap>,
    len: usize,
}

impl Validity {
    #[inline]
    fn push(&mut self, valid: bool) {
        if !valid && self.bits.is_none() {
            self.bits = Some(Bitmap::filled(self.len, true));
        }
        if let Some(bits) = self.bits.as_mut() {
            bits.push(valid);
        }
        self.len += 1;
    }

    fn push_valid(&mut self, n: usize) {
        if let Some(bits) = self.bits.as_mut() {
            bits.extend_filled(n, true);
        }
        self.len += n;
    }

    pub(super) fn finish(self) -> Bitmap {
        self.bits.unwrap_or_else(|| Bitmap::filled(self.len, true))
    }
}

/// Where one column's rows go while they arrive.
enum Out {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Bitmap),
    Codes(Vec<u32>),
    /// Strings before enough of them arrived to tell labels from text.
    Undecided,
    Text {
        offsets: Vec<u32>,
        bytes: Vec<u8>,
    },
    /// Repeating strings, through the builder that keeps a dictionary.
    Strings(ColumnBuilder),
}

/// Rows of strings sampled to choose between dictionary and text storage.
const SAMPLE_ROWS: usize = 2048;

/// The column being read: its small buffers once whole, and its rows so far.
pub(super) struct ColumnState {
    validity: Option<Vec<u8>>,
    /// String offsets, relative to the start of the string bytes.
    offsets: Vec<usize>,
    offsets_read: bool,
    rows_done: usize,
    out: Out,
    valid: Validity,
}

fn bit(bytes: &[u8], i: usize) -> bool {
    bytes[i >> 3] >> (i & 7) & 1 == 1
}

/// Room for the `n` rows (or bytes) the batch declares, made once so the
/// column never doubles and copies itself. A length read from the file is not
/// trusted with more than `RESERVE_BYTES` before its bytes arrive (a damaged
/// one would claim gigabytes); past that the column grows as they come.
fn room<T>(n: usize) -> Vec<T> {
    let mut v = Vec::new();
    let _ = v.try_reserve_exact(n.min(crate::RESERVE_BYTES / std::mem::size_of::<T>().max(1)));
    v
}

fn utf8_error(name: &str, row: usize) -> ColumnarError {
    ColumnarError::Schema(format!(
        "column `{name}`: the string in row {row} is not valid UTF-8"
    ))
}

impl ColumnState {
    pub(super) fn new(plan: &ColumnPlan, rows: usize) -> ColumnState {
        let out = match &plan.kind {
            Kind::Int(_) | Kind::U64 => Out::Int(room(rows)),
            Kind::Float { .. } => Out::Float(room(rows)),
            Kind::Bool => Out::Bool(Bitmap::new()),
            Kind::Dict { .. } => Out::Codes(room(rows)),
            Kind::Text { .. } => Out::Undecided,
        };
        ColumnState {
            validity: None,
            offsets: Vec::new(),
            offsets_read: false,
            rows_done: 0,
            out,
            valid: Validity::default(),
        }
    }

    /// The first body byte this column still needs.
    pub(super) fn needs_from(&self, plan: &ColumnPlan) -> usize {
        if plan.nulls && self.validity.is_none() {
            return plan.validity.start;
        }
        match &plan.kind {
            Kind::Text { .. } if !self.offsets_read => plan.offsets.start,
            Kind::Text { .. } => plan.main.start + self.offsets[self.rows_done],
            Kind::Bool => plan.main.start + self.rows_done / 8,
            Kind::U64 => plan.main.start + self.rows_done * 8,
            Kind::Int(f) | Kind::Float { fixed: f, .. } | Kind::Dict { keys: f, .. } => {
                plan.main.start + self.rows_done * f.width()
            }
        }
    }

    /// The body byte where the next thing this column waits for ends: its
    /// validity or offsets buffer while gathering it, else its next row (the
    /// first rows of strings whose storage is not chosen yet).
    pub(super) fn next_end(&self, plan: &ColumnPlan, rows: usize) -> usize {
        if plan.nulls && self.validity.is_none() {
            return plan.validity.end;
        }
        let next = (self.rows_done + 1).min(rows);
        match &plan.kind {
            Kind::Text { .. } if !self.offsets_read => plan.offsets.end,
            Kind::Text { .. } if matches!(self.out, Out::Undecided) => {
                plan.main.start + self.offsets[rows.min(SAMPLE_ROWS)]
            }
            Kind::Text { .. } => plan.main.start + self.offsets[next],
            Kind::Bool => plan.main.start + next.div_ceil(8),
            Kind::U64 => plan.main.start + next * 8,
            Kind::Int(f) | Kind::Float { fixed: f, .. } | Kind::Dict { keys: f, .. } => {
                plan.main.start + next * f.width()
            }
        }
    }

    /// Reads the rows whose bytes are present; true once every row is read.
    pub(super) fn step(
        &mut self,
        plan: &ColumnPlan,
        rows: usize,
        window: &Window,
    ) -> Result<bool, ColumnarError> {
        if plan.nulls && self.validity.is_none() {
            match window.whole(&plan.validity) {
                Some(b) => self.validity = Some(b.to_vec()),
                None => return Ok(false),
            }
        }
        if let Kind::Text { offset_width } = plan.kind
            && !self.offsets_read
        {
            let Some(b) = window.whole(&plan.offsets) else {
                return Ok(false);
            };
            self.offsets = read_offsets(b, offset_width, rows, plan)?;
            self.offsets_read = true;
        }
        let from = self.needs_from(plan);
        let present = window.from(&plan.main, from);
        let done = self.rows_done;
        let upto = match &plan.kind {
            Kind::Text { .. } => {
                let end = from - plan.main.start + present.len();
                let mut r = done;
                while r < rows && self.offsets[r + 1] <= end {
                    r += 1;
                }
                r
            }
            Kind::Bool => rows.min((done / 8 + present.len()) * 8),
            Kind::U64 => rows.min(done + present.len() / 8),
            Kind::Int(f) | Kind::Float { fixed: f, .. } | Kind::Dict { keys: f, .. } => {
                rows.min(done + present.len() / f.width())
            }
        };
        if matches!(self.out, Out::Undecided) {
            // Strings wait (their bytes kept) until enough rows show whether
            // they repeat; then all of them so far are read at once.
            if upto < rows.min(SAMPLE_ROWS) {
                return Ok(false);
            }
            self.out = self.choose_storage(rows, present);
        }
        if upto > done || rows == 0 {
            self.read_rows(plan, rows, present, done, upto)?;
            self.rows_done = upto;
        }
        Ok(self.rows_done == rows)
    }

    /// Rows `done..upto`, whose main-buffer bytes start at `present`.
    fn read_rows(
        &mut self,
        plan: &ColumnPlan,
        rows: usize,
        present: &[u8],
        done: usize,
        upto: usize,
    ) -> Result<(), ColumnarError> {
        let n = upto - done;
        match (&plan.kind, &mut self.out) {
            (Kind::Int(f), Out::Int(v)) => extend_ints(*f, present, n, v),
            (Kind::U64, out) => read_u64(out, present, n, rows),
            (
                Kind::Float {
                    fixed: f, scale, ..
                },
                Out::Float(v),
            ) => extend_floats(*f, *scale, present, n, v),
            (Kind::Bool, Out::Bool(b)) => {
                let skip = done % 8;
                for i in 0..n {
                    b.push(bit(present, skip + i));
                }
            }
            (
                Kind::Dict {
                    keys,
                    dict,
                    dict_valid,
                },
                Out::Codes(codes),
            ) => {
                let mut keys_read = Vec::with_capacity(n);
                extend_ints(*keys, present, n, &mut keys_read);
                for (i, &key) in keys_read.iter().enumerate() {
                    let row = done + i;
                    let valid_row = self.validity.as_ref().is_none_or(|v| bit(v, row));
                    let entry = usize::try_from(key).ok().filter(|&k| k < dict.len());
                    let Some(k) = entry else {
                        if valid_row {
                            return Err(ColumnarError::Schema(format!(
                                "column `{}`: dictionary key {key} in row {row} is outside its dictionary of {}",
                                plan.name,
                                dict.len()
                            )));
                        }
                        codes.push(0);
                        self.valid.push(false);
                        continue;
                    };
                    codes.push(k as u32);
                    self.valid.push(valid_row && dict_valid[k]);
                }
                return Ok(());
            }
            (Kind::Text { .. }, _) => return self.read_strings(plan, present, done, upto),
            _ => unreachable!("a column's output matches its kind from the start"),
        }
        self.push_validity(done, upto);
        Ok(())
    }

    fn push_validity(&mut self, done: usize, upto: usize) {
        match &self.validity {
            Some(v) => {
                for row in done..upto {
                    self.valid.push(bit(v, row));
                }
            }
            None => self.valid.push_valid(upto - done),
        }
    }

    /// Strings of rows `done..upto` (their storage is chosen by now).
    fn read_strings(
        &mut self,
        plan: &ColumnPlan,
        present: &[u8],
        done: usize,
        upto: usize,
    ) -> Result<(), ColumnarError> {
        let base = self.offsets[done];
        let text = present.get(..self.offsets[upto] - base).unwrap_or(&[]);
        let text = std::str::from_utf8(text).map_err(|e| {
            let at = base + e.valid_up_to();
            utf8_error(&plan.name, self.offsets.partition_point(|&o| o <= at) - 1)
        })?;
        // Each string must start on a character boundary of the whole.
        if let Some(r) = (done..upto).find(|&r| !text.is_char_boundary(self.offsets[r] - base)) {
            return Err(utf8_error(&plan.name, r));
        }
        self.read_strings_into(text, base, done, upto)
    }

    /// Dictionary storage (through the builder) for repeating strings, else
    /// text. `present` holds the strings from the first on.
    fn choose_storage(&self, rows: usize, present: &[u8]) -> Out {
        let base = self.offsets[0];
        let sample = rows.min(SAMPLE_ROWS);
        let valid = |r: usize| self.validity.as_ref().is_none_or(|v| bit(v, r));
        // Invalid UTF-8 is reported when the rows are read; here it only
        // counts as one more distinct value.
        let repeats = mostly_repeats(
            (0..sample)
                .filter(|&r| valid(r))
                .map(|r| &present[self.offsets[r] - base..self.offsets[r + 1] - base]),
        );
        let bytes = self.offsets[rows] - base;
        if repeats || bytes > u32::MAX as usize {
            Out::Strings(ColumnBuilder::new())
        } else {
            let mut offsets = Vec::with_capacity(rows + 1);
            offsets.push(0);
            Out::Text {
                offsets,
                bytes: room(bytes),
            }
        }
    }

    fn read_strings_into(
        &mut self,
        text: &str,
        base: usize,
        done: usize,
        upto: usize,
    ) -> Result<(), ColumnarError> {
        let offsets = &self.offsets;
        let first = offsets[0];
        match &mut self.out {
            Out::Text { offsets: o, bytes } => {
                bytes.extend_from_slice(&text.as_bytes()[offsets[done] - base..]);
                o.extend(offsets[done + 1..=upto].iter().map(|&x| (x - first) as u32));
                self.push_validity(done, upto);
            }
            Out::Strings(b) => {
                for r in done..upto {
                    if self.validity.as_ref().is_none_or(|v| bit(v, r)) {
                        b.push_str(&text[offsets[r] - base..offsets[r + 1] - base]);
                    } else {
                        b.push_null();
                    }
                }
            }
            _ => unreachable!("strings are read once their storage is chosen"),
        }
        Ok(())
    }

    /// The column's storage; a dictionary is moved out of `plan` (the
    /// column is done with it).
    pub(super) fn finish(self, plan: &mut ColumnPlan, rows: usize) -> ColumnData {
        let valid = self.valid.finish();
        match (self.out, &mut plan.kind) {
            (Out::Int(values), _) => ColumnData::Int { values, valid },
            (Out::Float(values), Kind::Float { timestamp, .. }) => ColumnData::Float {
                values,
                valid,
                timestamp: *timestamp,
            },
            (Out::Float(values), Kind::U64) => ColumnData::Float {
                values,
                valid,
                timestamp: false,
            },
            (Out::Bool(values), _) => ColumnData::Bool { values, valid },
            (Out::Codes(codes), Kind::Dict { dict, .. }) => {
                ColumnData::dictionary(std::mem::take(dict), codes, valid)
            }
            (Out::Text { offsets, bytes }, _) => ColumnData::Text {
                offsets,
                bytes,
                valid,
            },
            (Out::Strings(b), _) => b.finish(&CellHint::None),
            // Outputs are made to match their kinds; nothing else is reached.
            _ => ColumnData::Null(rows),
        }
    }
}

/// Unsigned 64-bit values: kept as integers until one does not fit, then
/// the column so far turns to floats.
fn read_u64(out: &mut Out, present: &[u8], n: usize, rows: usize) {
    let mut values = Vec::with_capacity(n);
    extend_ints(Fixed::U64, present, n, &mut values);
    // `extend_ints` reinterprets the bits: values past i64::MAX come out negative.
    if let Out::Int(ints) = out
        && values.iter().any(|&v| v < 0)
    {
        let mut floats = room(rows);
        floats.extend(ints.iter().map(|&v| v as f64));
        *out = Out::Float(floats);
    }
    match out {
        Out::Int(ints) => ints.extend_from_slice(&values),
        Out::Float(floats) => floats.extend(values.iter().map(|&v| v as u64 as f64)),
        _ => {}
    }
}

/// String offsets made relative to the first, checked to rise within the bytes.
fn read_offsets(
    b: &[u8],
    width: usize,
    rows: usize,
    plan: &ColumnPlan,
) -> Result<Vec<usize>, ColumnarError> {
    let fixed = if width == 4 { Fixed::I32 } else { Fixed::I64 };
    let mut raw = Vec::with_capacity(rows + 1);
    extend_ints(fixed, b, rows + 1, &mut raw);
    let mut out = Vec::with_capacity(rows + 1);
    let mut last = 0usize;
    for (i, &o) in raw.iter().enumerate() {
        let o = usize::try_from(o)
            .ok()
            .filter(|&o| o <= plan.main.len() && (i == 0 || o >= last));
        let Some(o) = o else {
            return Err(ColumnarError::Schema(format!(
                "column `{}`: string offset {i} is out of order or past its bytes",
                plan.name
            )));
        };
        out.push(o);
        last = o;
    }
    Ok(out)
}
