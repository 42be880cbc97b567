//! A table read in pieces (`StreamingTableReader::take_piece`, as the loading
//! worker sends it to the page) and appended back together is the table a
//! single read gives: same columns, declared types, data types and cells.

use loupe_core::{StreamingTableReader, Table, read_table};
use proptest::prelude::*;

/// One column's cells, by the shape its values take.
fn cell(kind: u8, row: usize, noise: u32) -> String {
    if noise.is_multiple_of(11) {
        return "null".into();
    }
    match kind {
        0 => format!("{}", i64::from(noise) - 500),
        // Ints that turn into floats somewhere down the column.
        1 if noise.is_multiple_of(7) => format!("{}.5", noise % 100),
        1 => format!("{}", noise % 100),
        // Few distinct strings (a dictionary), then many (text).
        2 => format!("\"label-{}\"", noise % 5),
        3 => format!("\"id-{row}-{noise}\""),
        4 => noise.is_multiple_of(2).to_string(),
        // Mixed shapes: numbers, strings and nested cells in one column.
        5 => match noise % 4 {
            0 => format!("{noise}"),
            1 => format!("\"s{noise}\""),
            2 => format!("[{noise}, \"x\"]"),
            _ => format!("{{\"k\": {noise}}}"),
        },
        // Epoch milliseconds declared as timestamps in `column_types`.
        _ => format!("{}", 1_600_000_000_000i64 + i64::from(noise)),
    }
}

fn table_json(kinds: &[u8], noise: &[u32]) -> String {
    let names: Vec<String> = (0..kinds.len()).map(|c| format!("\"c{c}\"")).collect();
    let rows = noise.len() / kinds.len().max(1);
    let data: Vec<String> = (0..rows)
        .map(|r| {
            let cells: Vec<String> = kinds
                .iter()
                .enumerate()
                .map(|(c, k)| cell(*k, r, noise[r * kinds.len() + c]))
                .collect();
            format!("[{}]", cells.join(", "))
        })
        .collect();
    let types: Vec<String> = kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| **k == 6)
        .map(|(c, _)| format!("\"c{c}\": {{\"wb_type\": \"timestamp\"}}"))
        .collect();
    format!(
        "{{\"_type\": \"table\", \"column_types\": {{\"wb_type\": \"typedDict\", \"params\": {{\"type_map\": {{{}}}}}}}, \"columns\": [{}], \"data\": [{}], \"ncols\": {}, \"nrows\": {rows}}}",
        types.join(", "),
        names.join(", "),
        data.join(",\n"),
        kinds.len()
    )
}

/// Streams `bytes` in `chunk`-byte chunks, taking a piece after every push
/// where `take` says so, and appends the pieces and the rest.
fn read_in_pieces(bytes: &[u8], chunk: usize, take: &[bool]) -> (Table, usize) {
    let mut reader = StreamingTableReader::new();
    let mut whole: Option<Table> = None;
    let mut pieces = 0;
    let add = |t: Table, whole: &mut Option<Table>| match whole {
        Some(w) => w.append(t).expect("same columns"),
        None => *whole = Some(t),
    };
    for (i, c) in bytes.chunks(chunk).enumerate() {
        reader.push(c).expect("valid table");
        if take.get(i % take.len().max(1)).copied().unwrap_or(false)
            && let Some(piece) = reader.take_piece()
        {
            pieces += 1;
            add(piece.expect("piece"), &mut whole);
        }
    }
    add(reader.finish().expect("finishes"), &mut whole);
    (whole.expect("a table"), pieces)
}

fn assert_same(pieced: &Table, whole: &Table) {
    assert_eq!(pieced.row_count(), whole.row_count());
    assert_eq!(pieced.columns.len(), whole.columns.len());
    for (a, b) in pieced.columns.iter().zip(&whole.columns) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.declared, b.declared, "{}", a.name);
        assert_eq!(a.data_type(), b.data_type(), "{}", a.name);
        for r in 0..whole.row_count() {
            assert_eq!(a.data().get(r), b.data().get(r), "{} row {r}", a.name);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn pieces_appended_equal_one_read(
        kinds in prop::collection::vec(0u8..7, 1..5),
        noise in prop::collection::vec(any::<u32>(), 0..600),
        chunk in 1usize..300,
        take in prop::collection::vec(any::<bool>(), 1..8),
    ) {
        let text = table_json(&kinds, &noise);
        let whole = read_table(text.as_bytes()).expect("valid table");
        let (pieced, _) = read_in_pieces(text.as_bytes(), chunk, &take);
        assert_same(&pieced, &whole);
    }
}

/// Strings that fit a dictionary in every piece but not in the whole column
/// (more distinct values than the builder keeps as a dictionary): the
/// appended column still holds every value in order.
#[test]
fn a_dictionary_outgrown_across_pieces_keeps_every_value() {
    let kinds = [3u8, 2, 0, 6];
    let noise: Vec<u32> = (0..4 * 12_000u32)
        .map(|i| i.wrapping_mul(2_654_435_761))
        .collect();
    let text = table_json(&kinds, &noise);
    let whole = read_table(text.as_bytes()).expect("valid table");
    let (pieced, pieces) = read_in_pieces(text.as_bytes(), 16 * 1024, &[true]);
    assert!(pieces > 10, "read in {pieces} pieces");
    assert!(
        pieced.columns[3].declared.is_some(),
        "the timestamp hint is kept"
    );
    assert_same(&pieced, &whole);
}

/// No piece before the column names are known or for a document that is not a table.
#[test]
fn pieces_need_a_table_with_its_columns_first() {
    let mut late_columns = StreamingTableReader::new();
    late_columns
        .push(br#"{"_type": "table", "data": [[1], [2]], "columns": ["a"]}"#)
        .expect("reads");
    assert!(late_columns.take_piece().is_none());
    assert_eq!(late_columns.finish().expect("table").row_count(), 2);

    let mut image = StreamingTableReader::new();
    image
        .push(br#"{"_type": "image-file", "columns": ["a"], "data": [[1]]"#)
        .expect("reads");
    assert!(image.take_piece().is_none());

    let mut table = StreamingTableReader::new();
    table
        .push(br#"{"_type": "table", "columns": ["a"], "data": [[1], [2], "#)
        .expect("reads");
    let first = table.take_piece().expect("a piece").expect("valid");
    assert_eq!(first.row_count(), 2);
    assert!(table.take_piece().is_none(), "no new rows, no piece");
    table.push(b"[3]]}").expect("reads");
    assert_eq!(table.finish().expect("rest").row_count(), 1);
}

/// Appended piece by piece into the room the first piece's rows suggest (as
/// the page does while a table loads), a text column whose later rows are
/// shorter holds far more than it needs; `shrink_to_fit` gives back what was
/// reserved beyond the rows held, cells unchanged.
#[test]
fn a_table_appended_in_pieces_shrinks_to_what_it_holds() {
    use loupe_core::bitmap::Bitmap;
    use loupe_core::column::ColumnData;
    use loupe_core::table::Column;
    let text = |rows: std::ops::Range<usize>| {
        let mut offsets = vec![0u32];
        let mut bytes = Vec::new();
        for r in rows.clone() {
            let cell = if r < 100 {
                format!("a much longer caption for row {r}")
            } else {
                format!("a{r}")
            };
            bytes.extend_from_slice(cell.as_bytes());
            offsets.push(bytes.len() as u32);
        }
        let data = ColumnData::Text {
            offsets,
            bytes,
            valid: Bitmap::filled(rows.len(), true),
        };
        Table::with_row_count(vec![Column::new("caption", None, data)], rows.len())
            .expect("a table")
    };
    let whole = text(0..1000);
    let mut pieced = text(0..100);
    pieced.reserve(900);
    for start in (100..1000).step_by(100) {
        pieced
            .append(text(start..start + 100))
            .expect("same columns");
    }
    let grown = pieced.heap_bytes();
    pieced.shrink_to_fit();
    assert_same(&pieced, &whole);
    assert!(
        pieced.heap_bytes() * 2 < grown && pieced.heap_bytes() <= whole.heap_bytes(),
        "{grown} B grown, {} B shrunk, {} B exact",
        pieced.heap_bytes(),
        whole.heap_bytes()
    );
}
