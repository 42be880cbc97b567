//! Minimal PNG encoding and header reading for the writer API.
//!
//! Images made from pixels are written as 8-bit PNGs with *stored* (not
//! compressed) deflate blocks: always valid, dependency-free and deterministic.
//! The SDK compresses with Pillow, so pixel-made files differ in bytes from the
//! SDK's (and thus in their content-addressed names); files added from disk
//! are copied byte for byte and named exactly as the SDK names them.

use super::ArtifactError;

/// Pixel layouts the SDK writes: grayscale `L` (masks), `RGB`, `RGBA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    Gray,
    Rgb,
    Rgba,
}

impl PixelFormat {
    pub fn channels(self) -> usize {
        match self {
            PixelFormat::Gray => 1,
            PixelFormat::Rgb => 3,
            PixelFormat::Rgba => 4,
        }
    }

    fn color_type(self) -> u8 {
        match self {
            PixelFormat::Gray => 0,
            PixelFormat::Rgb => 2,
            PixelFormat::Rgba => 6,
        }
    }
}

/// Encodes row-major 8-bit pixels as a PNG file.
pub fn encode(
    width: u32,
    height: u32,
    format: PixelFormat,
    pixels: &[u8],
) -> Result<Vec<u8>, ArtifactError> {
    let row = width as usize * format.channels();
    if width == 0 || height == 0 || pixels.len() != row * height as usize {
        return Err(ArtifactError::BadPixels {
            width,
            height,
            channels: format.channels(),
            len: pixels.len(),
        });
    }
    // Scanlines, each prefixed by filter type 0 (None).
    let mut raw = Vec::with_capacity((row + 1) * height as usize);
    for line in pixels.chunks(row) {
        raw.push(0);
        raw.extend_from_slice(line);
    }
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, format.color_type(), 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

/// Width and height from a PNG's IHDR, or `None` when the bytes are not a PNG.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    Some((w, h))
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    b << 16 | a
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                0xEDB8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn encoded_png_reports_its_size() {
        let png = encode(3, 2, PixelFormat::Rgb, &[7; 18]).expect("png");
        assert_eq!(dimensions(&png), Some((3, 2)));
        assert!(png.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND crc");
        assert!(encode(3, 2, PixelFormat::Rgb, &[7; 17]).is_err());
    }
}
