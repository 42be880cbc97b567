//! A query's result (`View`) as one flat byte buffer, for handing it from the
//! worker that ran the query back to the page: row numbers as little-endian
//! u32s, derived columns and group keys as table frames (`frame`).
//!
//! Layout: `LOUPEVW1`, u32 row count + rows; u8 grouped; when grouped, u32
//! group count, group starts (count + 1 offsets into the members), member rows
//! and a frame of the key values (one column per key); then a frame of the
//! derived columns. Decoding checks every length and row number.

use crate::column::ColumnBuilder;
use crate::error::FormatError;
use crate::frame::{self, Reader, bad, put_array, put_bytes, put_u32};
use crate::ops::Grouping;
use crate::query::{GroupedView, View};
use crate::table::Column;

const MAGIC: &[u8; 8] = b"LOUPEVW1";

/// The view as bytes.
pub fn encode(view: &View) -> Vec<u8> {
    let members: usize = view
        .groups
        .as_ref()
        .map_or(0, |g| g.grouping.members.iter().map(Vec::len).sum());
    let mut out = Vec::with_capacity(64 + 4 * (view.rows.len() + members));
    out.extend_from_slice(MAGIC);
    put_rows(&mut out, &view.rows);
    match &view.groups {
        None => out.push(0),
        Some(g) => {
            out.push(1);
            let grouping = &g.grouping;
            put_u32(&mut out, grouping.len() as u32);
            let mut start = 0u32;
            put_u32(&mut out, start);
            for m in &grouping.members {
                start += m.len() as u32;
                put_u32(&mut out, start);
            }
            for m in &grouping.members {
                put_array(&mut out, m, u32::to_le_bytes);
            }
            let keys: Vec<Column> = (0..g.key_names.len())
                .map(|k| {
                    let mut b = ColumnBuilder::new();
                    for key in &grouping.keys {
                        b.push_value(key.get(k).cloned().unwrap_or(crate::value::Value::Null));
                    }
                    Column::new(k.to_string(), None, b.finish(&Default::default()))
                })
                .collect();
            put_bytes(
                &mut out,
                &frame::encode_columns(grouping.len(), &keys.iter().collect::<Vec<_>>()),
            );
        }
    }
    let derived: Vec<&Column> = view.derived.iter().collect();
    let rows = view.derived.first().map_or(0, Column::len);

    put_bytes(&mut out, &frame::encode_columns(rows, &derived));
    out
}

fn put_rows(out: &mut Vec<u8>, rows: &[u32]) {
    put_u32(out, rows.len() as u32);
    put_array(out, rows, u32::to_le_bytes);
}

/// Reads a view of a table with `table_rows` rows back; `key_names` are the
/// group expressions of the query that made it (the buffer holds only values).
pub fn decode(bytes: &[u8], table_rows: usize, key_names: &[String]) -> Result<View, FormatError> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(bad("not a Loupe view"));
    }
    let in_table = |rows: &[u32]| rows.iter().all(|&row| (row as usize) < table_rows);
    let n = r.u32()? as usize;
    let rows = r.array(n, u32::from_le_bytes)?;
    if !in_table(&rows) {
        return Err(bad("a row number is outside the table"));
    }
    let groups = match r.u8()? {
        0 => None,
        1 => {
            let count = r.u32()? as usize;
            let starts = r.array(
                count.checked_add(1).ok_or_else(|| bad("too long"))?,
                u32::from_le_bytes,
            )?;
            let total = *starts.last().unwrap_or(&0) as usize;
            if starts.first() != Some(&0) || starts.windows(2).any(|w| w[0] > w[1]) {
                return Err(bad("group starts out of order"));
            }
            let all = r.array(total, u32::from_le_bytes)?;
            if !in_table(&all) {
                return Err(bad("a group member is outside the table"));
            }
            let members = starts
                .windows(2)
                .map(|w| all[w[0] as usize..w[1] as usize].to_vec())
                .collect();
            let key_table = frame::decode(r.bytes()?)?;
            if key_table.columns.len() != key_names.len()
                || (count > 0 && key_table.row_count() != count)
            {
                return Err(bad("group keys do not match the query"));
            }
            let keys = (0..count)
                .map(|i| key_table.columns.iter().map(|c| c.data().get(i)).collect())
                .collect();
            Some(GroupedView {
                key_names: key_names.to_vec(),
                grouping: Grouping { keys, members },
            })
        }
        _ => return Err(bad("unknown view kind")),
    };
    let derived = frame::decode(r.bytes()?)?;
    if !derived.columns.is_empty() && derived.row_count() != table_rows {
        return Err(bad("derived columns do not match the table"));
    }
    if r.pos != bytes.len() {
        return Err(bad("bytes left after the view"));
    }
    Ok(View {
        derived: derived.columns,
        rows,
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Query, run};
    use crate::read_table;

    fn grouped_view() -> (View, Vec<String>) {
        let t = read_table(
            br#"{"_type": "table", "columns": ["k", "x"], "data": [["a", 1], ["b", 2], ["a", 3]]}"#,
        )
        .expect("table");
        let q = Query::from_params([("derive", "y=x * 2"), ("group", "k")]);
        (run(&t, &q).expect("runs"), q.group)
    }

    #[test]
    fn a_grouped_view_reads_back_whole() {
        let (view, keys) = grouped_view();
        let back = decode(&encode(&view), 3, &keys).expect("reads back");
        assert_eq!(back, view);
    }

    #[test]
    fn every_cut_short_buffer_is_an_error() {
        let (view, keys) = grouped_view();
        let bytes = encode(&view);
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end], 3, &keys).is_err(), "cut at {end}");
        }
    }

    #[test]
    fn rows_outside_the_table_are_refused() {
        let view = View {
            rows: vec![0, 5],
            ..View::default()
        };
        let err = decode(&encode(&view), 3, &[]).expect_err("row 5 of 3");
        assert!(err.to_string().contains("outside the table"), "{err}");
    }
}
