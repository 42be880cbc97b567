//! One-shot compression and decompression of whole buffers (the `zstd`
//! crate's `bulk` module).

use std::io::{self, Cursor};
use std::marker::PhantomData;

use ruzstd::decoding::FrameDecoder;
use ruzstd::encoding::{CompressionLevel, compress_to_vec};

/// Where output goes: after the data already in a `Vec`, or at a cursor's
/// position (what is after it is overwritten), within the spare capacity.
/// (parquet and arrow-ipc pass a `Cursor<&mut Vec<u8>>`.)
pub trait WriteBuf {
    /// The vector, cut at the point where output starts.
    fn output(&mut self) -> &mut Vec<u8>;
}

impl WriteBuf for Vec<u8> {
    fn output(&mut self) -> &mut Vec<u8> {
        self
    }
}

impl WriteBuf for Cursor<&mut Vec<u8>> {
    fn output(&mut self) -> &mut Vec<u8> {
        let start = usize::try_from(self.position()).unwrap_or(usize::MAX);
        let vec = self.get_mut();
        vec.truncate(start);
        vec
    }
}

fn invalid(error: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

/// Decompresses whole zstd frames; one decoder's tables are reused.
pub struct Decompressor<'a> {
    decoder: FrameDecoder,
    _dictionary: PhantomData<&'a [u8]>,
}

impl Decompressor<'_> {
    pub fn new() -> io::Result<Self> {
        Ok(Self {
            decoder: FrameDecoder::new(),
            _dictionary: PhantomData,
        })
    }

    /// Decodes every frame in `source` into `destination`'s spare capacity
    /// and returns how many bytes it wrote. Output that would not fit is an
    /// error, as in the C library: callers reserve the size they expect.
    pub fn decompress_to_buffer<C: WriteBuf + ?Sized>(
        &mut self,
        source: &[u8],
        destination: &mut C,
    ) -> io::Result<usize> {
        let out = destination.output();
        let before = out.len();
        self.decoder
            .decode_all_to_vec(source, out)
            .map_err(invalid)?;
        Ok(out.len() - before)
    }

    /// Decodes every frame in `source` into a new vector of at most
    /// `capacity` bytes. The capacity comes from the file, so it is reserved
    /// fallibly: a damaged size is an error, not an aborted allocation.
    pub fn decompress(&mut self, source: &[u8], capacity: usize) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        out.try_reserve_exact(capacity)
            .map_err(|e| io::Error::new(io::ErrorKind::OutOfMemory, e))?;
        self.decompress_to_buffer(source, &mut out)?;
        Ok(out)
    }
}

/// Compresses whole buffers into one zstd frame each.
pub struct Compressor<'a> {
    _dictionary: PhantomData<&'a [u8]>,
}

impl Compressor<'_> {
    /// Any `level` compresses at ruzstd's fastest level (about zstd's 1),
    /// the only one it implements; the output is standard zstd either way.
    pub fn new(_level: i32) -> io::Result<Self> {
        Ok(Self {
            _dictionary: PhantomData,
        })
    }

    /// Appends one frame holding `source` to `destination`; returns its size.
    pub fn compress_to_buffer<C: WriteBuf + ?Sized>(
        &mut self,
        source: &[u8],
        destination: &mut C,
    ) -> io::Result<usize> {
        let frame = compress_to_vec(source, CompressionLevel::Fastest);
        destination.output().extend_from_slice(&frame);
        Ok(frame.len())
    }

    /// `source` as one new frame.
    pub fn compress(&mut self, source: &[u8]) -> io::Result<Vec<u8>> {
        Ok(compress_to_vec(source, CompressionLevel::Fastest))
    }
}
