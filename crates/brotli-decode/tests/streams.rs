//! A stream from the C brotli library (pyarrow's `pa.compress(…, "brotli")`
//! of the text `rows` makes), decoded here through the API parquet calls.

use std::io::{Read, Write};

use brotli::{CompressorWriter, Decompressor};

fn rows() -> Vec<u8> {
    (0..5000)
        .map(|i| format!("row {i}: the quick brown fox {}\n", i * 7919 % 1000))
        .collect::<String>()
        .into_bytes()
}

fn stream() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rows.br")).expect("fixture")
}

fn decode(input: &[u8], limit: usize) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    Decompressor::new(input, limit).read_to_end(&mut out)?;
    Ok(out)
}

#[test]
fn a_c_library_stream_decodes_to_its_text() {
    let text = rows();
    assert_eq!(decode(&stream(), text.len()).expect("decodes"), text);
}

#[test]
fn output_past_the_declared_size_is_an_error_not_a_cut() {
    let text = rows();
    let err = decode(&stream(), text.len() - 1).expect_err("one byte more than declared");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("declared size"), "{err}");
}

#[test]
fn damaged_streams_are_errors_not_panics() {
    let good = stream();
    let text = rows();
    for cut in [0, 1, 7, good.len() / 2, good.len() - 1] {
        assert!(decode(&good[..cut], text.len()).is_err(), "cut at {cut}");
    }
    for at in (0..good.len()).step_by(97) {
        let mut bad = good.clone();
        bad[at] ^= 0x5a;
        // Either an error or some bytes: never a panic, never past the limit.
        if let Ok(out) = decode(&bad, text.len()) {
            assert!(out.len() <= text.len());
        }
    }
}

#[test]
fn writing_brotli_is_refused() {
    let mut out = Vec::new();
    let mut w = CompressorWriter::new(&mut out, 4096, 1, 22);
    let err = w.write_all(b"text").expect_err("no encoder");
    assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
}
