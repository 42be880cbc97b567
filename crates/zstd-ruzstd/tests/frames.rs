//! Frames written by the zstd command-line tool (the C library), decoded by
//! this crate. The text is rebuilt here rather than stored:
//!
//! ```sh
//! zstd -19 -c plain.txt > tests/data/sized-level19.zst          # content size in the header
//! cat plain.txt | zstd -3 -c > tests/data/unsized-level3.zst    # streamed: no content size
//! ```

use std::io::Cursor;

use zstd::bulk::{Compressor, Decompressor};
use zstd::zstd_safe::{compress_bound, get_frame_content_size};

/// 5000 lines, ~284 KB: more than two 128 KB blocks, with matches far back.
fn plain() -> Vec<u8> {
    (0..5000)
        .map(|i| {
            format!(
                "row {i}: the quick brown fox {} jumps over {} lazy dogs\n",
                i * 7919 % 1000,
                i % 13
            )
        })
        .collect::<String>()
        .into_bytes()
}

fn frame(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A skippable frame (magic 0x184D2A5?, then its length): decoders pass over it.
fn skippable(payload: &[u8]) -> Vec<u8> {
    let mut f = 0x184D_2A53u32.to_le_bytes().to_vec();
    f.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    f.extend_from_slice(payload);
    f
}

#[test]
fn frames_from_the_c_library_decode_to_the_text() {
    let text = plain();
    for name in ["sized-level19.zst", "unsized-level3.zst"] {
        let out = Decompressor::new()
            .and_then(|mut d| d.decompress(&frame(name), text.len()))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            out == text,
            "{name}: {} bytes differ from the text",
            out.len()
        );
    }
}

#[test]
fn the_declared_content_size_is_read_or_absent() {
    let text_len = plain().len() as u64;
    assert_eq!(
        get_frame_content_size(&frame("sized-level19.zst")),
        Ok(Some(text_len))
    );
    assert_eq!(
        get_frame_content_size(&frame("unsized-level3.zst")),
        Ok(None)
    );
    // Every header form: the first four as the C tool writes them for 0, 1,
    // 300 and 70000 bytes; then 8 bytes, a window byte and a dictionary id
    // before the size, and no size (what ruzstd writes).
    let magic = [0x28, 0xb5, 0x2f, 0xfd];
    let forms: [(&[u8], Option<u64>); 7] = [
        (&[0x24, 0x00], Some(0)),
        (&[0x24, 0x01], Some(1)),
        (&[0x64, 0x2c, 0x00], Some(300)),
        (&[0xa4, 0x70, 0x11, 0x01, 0x00], Some(70_000)),
        (
            &[0xe4, 0x00, 0xf2, 0x05, 0x2a, 0x01, 0, 0, 0],
            Some(5_000_000_000),
        ),
        (
            &[0x86, 0x50, 0x34, 0x12, 0x40, 0x42, 0x0f, 0x00],
            Some(1_000_000),
        ),
        (&[0x04, 0x50], None),
    ];
    for (header, size) in forms {
        let bytes = [&magic[..], header].concat();
        assert_eq!(get_frame_content_size(&bytes), Ok(size), "{header:02x?}");
        // Cut before its last byte, the header is not whole.
        if size.is_some() {
            assert!(get_frame_content_size(&bytes[..bytes.len() - 1]).is_err());
        }
    }
    assert!(get_frame_content_size(b"PAR1").is_err());
    assert!(get_frame_content_size(&[0x28, 0xb5, 0x2f]).is_err());
}

#[test]
fn output_lands_at_the_cursor_within_the_reserved_capacity() {
    let text = plain();
    let source = [
        frame("sized-level19.zst"),
        skippable(b"ignored"),
        frame("unsized-level3.zst"),
    ]
    .concat();
    // What parquet does: keep what is before the cursor, reserve, decode.
    let mut out = b"kept|dropped".to_vec();
    out.reserve(2 * text.len());
    let mut cursor = Cursor::new(&mut out);
    cursor.set_position(5);
    let written = Decompressor::new()
        .and_then(|mut d| d.decompress_to_buffer(&source, &mut cursor))
        .expect("two frames and a skippable one");
    assert_eq!(written, 2 * text.len());
    assert_eq!(&out[..5], b"kept|");
    assert!(out[5..] == [text.clone(), text].concat());
}

#[test]
fn more_output_than_reserved_is_an_error() {
    let mut d = Decompressor::new().expect("decoder");
    let short = d.decompress(&frame("unsized-level3.zst"), 1000);
    assert!(short.is_err(), "1000 bytes reserved for ~284 KB");
    // The decoder is reusable after an error.
    let text = plain();
    let out = d
        .decompress(&frame("unsized-level3.zst"), text.len())
        .expect("fits");
    assert!(out == text);
    // A capacity no allocator can give is an error, not an abort.
    assert!(
        d.decompress(&frame("unsized-level3.zst"), usize::MAX / 2)
            .is_err()
    );
}

#[test]
fn damaged_frames_are_errors() {
    let good = frame("sized-level19.zst");
    let mut d = Decompressor::new().expect("decoder");
    let len = plain().len();
    for cut in [1, 3, 10, good.len() / 2, good.len() - 1] {
        assert!(d.decompress(&good[..cut], len).is_err(), "cut at {cut}");
    }
    assert!(d.decompress(b"not zstd at all", len).is_err());
}

#[test]
fn compress_round_trips_and_stays_within_the_bound() {
    let mut c = Compressor::new(19).expect("any level");
    let mut d = Decompressor::new().expect("decoder");
    for data in [
        Vec::new(),
        b"a".to_vec(),
        plain(),
        (0..=255u8).cycle().take(200_000).collect(),
    ] {
        let mut out = b"head".to_vec();
        let mut cursor = Cursor::new(&mut out);
        cursor.set_position(4);
        let n = c
            .compress_to_buffer(&data, &mut cursor)
            .expect("compresses");
        assert_eq!(out.len(), 4 + n);
        assert!(
            n <= compress_bound(data.len()),
            "{n} > bound for {}",
            data.len()
        );
        assert!(d.decompress(&out[4..], data.len()).expect("decodes") == data);
    }
}

#[test]
fn every_c_library_level_is_accepted() {
    let range = zstd::compression_level_range();
    assert!(range.contains(&1) && range.contains(&22) && range.contains(&-5));
    assert!(!range.contains(&23));
}
