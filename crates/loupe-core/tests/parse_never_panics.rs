//! Property tests: no input makes the parsers panic, and valid JSON round-trips its shape.

use loupe_core::{Manifest, json, parse_document};
use proptest::prelude::*;

fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("NaN".to_string()),
        Just("-Infinity".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        "[a-z_\\-]{0,8}".prop_map(|s| format!("\"{s}\"")),
        "[0-9]{19,25}",
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(("[a-z_]{1,6}", inner), 0..6).prop_map(|kv| {
                let fields: Vec<String> = kv
                    .into_iter()
                    .map(|(k, v)| format!("\"{k}\": {v}"))
                    .collect();
                format!("{{{}}}", fields.join(", "))
            }),
        ]
    })
}

/// Table-shaped documents with arbitrary cells, columns and types.
fn table_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(json_text(), 0..4),
        prop::collection::vec(prop::collection::vec(json_text(), 0..5), 0..5),
        prop_oneof![Just("table"), Just("image-file"), Just("joined-table"), Just("partitioned-table"), Just("classes"), Just("audio-file")],
    )
        .prop_map(|(cols, rows, ty)| {
            let rows: Vec<String> = rows.into_iter().map(|r| format!("[{}]", r.join(","))).collect();
            format!(
                "{{\"_type\": \"{ty}\", \"columns\": [{}], \"data\": [{}], \"path\": \"x\", \"boxes\": {{\"l\": [{{\"position\": {{\"minX\": 0}}}}]}}}}",
                cols.join(","),
                rows.join(",")
            )
        })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse_document(&bytes);
        let _ = Manifest::parse(&bytes);
    }

    #[test]
    fn generated_json_parses(text in json_text()) {
        prop_assert!(json::parse(text.as_bytes()).is_ok(), "{}", text);
    }

    #[test]
    fn every_prefix_of_valid_json_fails_cleanly(text in json_text()) {
        for end in 0..text.len() {
            if text.is_char_boundary(end) {
                let _ = json::parse(&text.as_bytes()[..end]);
            }
        }
    }

    #[test]
    fn table_shaped_documents_never_panic(text in table_text()) {
        if let Ok(loupe_core::Document::Table(t)) = parse_document(text.as_bytes()) {
            for c in &t.columns {
                prop_assert_eq!(c.len(), t.row_count());
            }
        }
    }
}

proptest! {
    /// The streaming table reader agrees with the JSON-tree path on any table-shaped
    /// document, whatever row slices it is read in.
    #[test]
    fn streaming_reader_agrees_with_tree(text in table_text(), step in 1usize..4) {
        let text = text.replacen("\"_type\": \"image-file\"", "\"_type\": \"table\"", 1);
        let tree = json::parse(text.as_bytes()).ok().map(|j| loupe_core::Table::from_json(&j));
        let mut streamed = loupe_core::TableReader::new(text.as_bytes()).and_then(|mut r| {
            while !r.is_done() {
                r.read_rows(step)?;
            }
            r.finish()
        });
        if let (Some(Ok(tree)), Ok(s)) = (tree, streamed.as_mut())
            && text.contains("\"_type\": \"table\"")
        {
            prop_assert_eq!(format!("{tree:?}"), format!("{s:?}"));
        }
    }
}

proptest! {
    /// Streaming a table-shaped document in chunks of any size agrees with reading it whole.
    #[test]
    fn streaming_in_chunks_agrees_with_whole(text in table_text(), size in 1usize..40) {
        let text = text.replacen("\"_type\": \"image-file\"", "\"_type\": \"table\"", 1);
        let whole = loupe_core::read_table(text.as_bytes());
        let mut s = loupe_core::StreamingTableReader::new();
        let streamed = text
            .as_bytes()
            .chunks(size)
            .try_for_each(|c| s.push(c))
            .and_then(|_| s.finish());
        match (&whole, &streamed) {
            (Ok(w), Ok(st)) => prop_assert_eq!(format!("{w:?}"), format!("{st:?}")),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "whole {:?} vs streamed {:?} for {}", whole.as_ref().err(), streamed.as_ref().err(), text),
        }
    }
}
