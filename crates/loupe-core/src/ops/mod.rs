//! Table operations over evaluated expressions: sort, group, aggregate,
//! summarize, and materializing derived columns.

mod aggregate;
mod confusion;
mod group;
mod growing_histogram;
mod join;
mod keys;
mod sort;
mod top_values;

pub use aggregate::{
    Agg, ColumnSummary, Histogram, SummaryBuilder, aggregate, distinct_up_to, histogram, summarize,
};
pub use confusion::{Confusion, confusion};
pub use group::{GroupIds, Grouping, group_ids, group_rows};
pub use growing_histogram::{GrowingHistogram, HistogramBins};
pub use join::{JoinError, JoinKind, join, join_key};
pub use keys::{KeyValue, Keys, column_keys};
pub use sort::{sort_rows, top_rows};
pub use top_values::{RANK_STEP, Ranking, ValueCounter, top_values};

use crate::column::ColumnData;
use crate::expr::Vector;
use crate::expr::eval::{FALSE, NULL, TRUE};
use crate::table::Column;

/// Turns an evaluated expression into a stored column (a derived column).
pub fn materialize(name: &str, v: Vector<'_>, rows: usize) -> Column {
    let data = match v {
        Vector::Num { values, valid } => ColumnData::Float {
            values: values.into_owned(),
            valid: valid.into_owned(),
            timestamp: false,
        },
        Vector::Bool(b) => {
            let values = crate::bitmap::Bitmap::from_bools(b.iter().map(|&t| t == TRUE));
            let valid = crate::bitmap::Bitmap::from_bools(b.iter().map(|&t| t != NULL));
            debug_assert!(b.iter().all(|&t| t == TRUE || t == FALSE || t == NULL));
            ColumnData::Bool { values, valid }
        }
        Vector::Dict { dict, codes, valid } => ColumnData::Dict {
            dict: dict.to_vec(),
            codes: codes.to_vec(),
            valid: valid.clone(),
        },
        Vector::Text {
            offsets,
            bytes,
            valid,
        } => ColumnData::Text {
            offsets: offsets.to_vec(),
            bytes: bytes.to_vec(),
            valid: valid.clone(),
        },
        Vector::Const(c) => ColumnData::from_values(std::iter::repeat_n(c, rows)),
        Vector::Values(values) => ColumnData::from_values(values.into_owned()),
    };
    Column::new(name, None, data)
}
