//! What parquet's brotli codec calls of the `brotli` crate: `Decompressor`
//! for reading, `CompressorWriter` for writing. The real crate carries an
//! encoder Loupe never runs (it only reads files) that would add ~400 KB gzip
//! to the loading worker; decoding alone is `brotli-decompressor`, which the
//! real crate wraps too. Patched in for it in the workspace's Cargo.toml.
//!
//! parquet hands `Decompressor::new` the page's declared uncompressed size as
//! its buffer size; here that size also bounds the output, so a damaged or
//! hostile page cannot inflate past what its header declared.

use std::io::{self, Read, Write};

/// Bytes read from the compressed input at a time, whatever the page declares
/// (the declared size comes from the file: it must not size an allocation).
const INPUT_BUFFER: usize = 64 * 1024;

/// Brotli decoding of `reader`, at most `limit` bytes of output: one more is
/// an error, not a truncated page.
pub struct Decompressor<R: Read> {
    inner: brotli_decompressor::Decompressor<R>,
    left: usize,
}

impl<R: Read> Decompressor<R> {
    /// parquet passes the page's uncompressed size as `limit`.
    pub fn new(reader: R, limit: usize) -> Self {
        Decompressor {
            inner: brotli_decompressor::Decompressor::new(reader, INPUT_BUFFER.min(limit.max(1))),
            left: limit,
        }
    }
}

impl<R: Read> Read for Decompressor<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // The output must end here: anything more is past the declared size.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "brotli data longer than the page's declared size",
                )),
            };
        }
        let n = buf.len().min(self.left);
        let read = self.inner.read(&mut buf[..n])?;
        self.left -= read;
        Ok(read)
    }
}

/// Writing brotli is not built in: Loupe writes Parquet with zstd or snappy.
/// (parquet names it when asked to write a brotli file.)
pub struct CompressorWriter<W: Write> {
    _out: W,
}

impl<W: Write> CompressorWriter<W> {
    pub fn new(out: W, _buffer_size: usize, _quality: u32, _lgwin: u32) -> Self {
        CompressorWriter { _out: out }
    }
}

impl<W: Write> Write for CompressorWriter<W> {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "brotli compression is not built into Loupe (it decodes brotli only)",
        ))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
