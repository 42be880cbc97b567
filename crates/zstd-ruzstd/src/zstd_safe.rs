//! The two functions of `zstd_safe` (the C binding's lower layer) that the
//! codecs call: the content size a frame header declares, and how large a
//! compressed output can be.

use std::fmt;

/// The first four bytes of every zstd frame (little endian).
const FRAME_MAGIC: u32 = 0xFD2F_B528;

/// Why no content size could be read (the C library's
/// `ZSTD_CONTENTSIZE_ERROR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentSizeError;

impl fmt::Display for ContentSizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a zstd frame header")
    }
}

impl std::error::Error for ContentSizeError {}

/// The uncompressed size the first frame's header declares: `Ok(None)` when
/// the header leaves it out, an error when `src` does not start with a whole
/// frame header.
pub fn get_frame_content_size(src: &[u8]) -> Result<Option<u64>, ContentSizeError> {
    let magic = src.get(..4).ok_or(ContentSizeError)?;
    if u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]) != FRAME_MAGIC {
        return Err(ContentSizeError);
    }
    let descriptor = *src.get(4).ok_or(ContentSizeError)?;
    let size_flag = descriptor >> 6;
    let single_segment = descriptor & 0x20 != 0;
    let window_bytes = usize::from(!single_segment);
    let dictionary_bytes = [0, 1, 2, 4][usize::from(descriptor & 0x3)];
    let size_bytes = match (size_flag, single_segment) {
        (0, false) => return Ok(None),
        (0, true) => 1,
        (1, _) => 2,
        (2, _) => 4,
        _ => 8,
    };
    let start = 5 + window_bytes + dictionary_bytes;
    let field = src.get(start..start + size_bytes).ok_or(ContentSizeError)?;
    let mut le = [0u8; 8];
    le[..size_bytes].copy_from_slice(field);
    let size = u64::from_le_bytes(le);
    // The two-byte form stores the size minus 256 (the format's FCS_Field_Size 2).
    Ok(Some(if size_bytes == 2 { size + 256 } else { size }))
}

/// The most bytes compressing `src_size` bytes can take (the C library's
/// `ZSTD_COMPRESSBOUND`), which callers reserve before compressing.
pub fn compress_bound(src_size: usize) -> usize {
    const SMALL: usize = 128 << 10;
    let margin = if src_size < SMALL {
        (SMALL - src_size) >> 11
    } else {
        0
    };
    src_size + (src_size >> 8) + margin
}
