//! Streaming gzip decoding for native builds: every member of a multi-member stream, each one's
//! CRC checked.
//!
//! When the build found ISA-L (Debian: `libisal-dev`), [`Decoder`] runs ISA-L's inflate, which is
//! about twice as fast as zlib-rs on layer blobs; otherwise it is flate2's zlib-rs decoder. Both
//! give the same bytes and fail on the same inputs (see the tests). [`BACKEND`] says which one
//! this build uses, so benchmarks can print it.
//!
//! The FFI to ISA-L lives here (in `isal.rs` and its C shim), so that `imgslim-core` can keep
//! forbidding `unsafe`.

use std::io::{self, Read};

#[cfg(isal)]
mod isal;

/// Which inflate this build links: `"isa-l"` or `"zlib-rs"`.
pub const BACKEND: &str = if cfg!(isal) { "isa-l" } else { "zlib-rs" };

/// A gzip stream decoder over `R`, reading every member until the end of `R`.
pub struct Decoder<R: Read>(Inner<R>);

#[cfg(isal)]
type Inner<R> = isal::MultiGz<R>;
#[cfg(not(isal))]
type Inner<R> = flate2::read::MultiGzDecoder<io::BufReader<R>>;

impl<R: Read> Decoder<R> {
    /// Decode `inner`, which must start with a gzip header.
    pub fn new(inner: R) -> Self {
        #[cfg(isal)]
        let inner = isal::MultiGz::new(inner);
        #[cfg(not(isal))]
        let inner = flate2::read::MultiGzDecoder::new(io::BufReader::with_capacity(INPUT, inner));
        Decoder(inner)
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

/// Compressed bytes read from the source at a time. 32 KiB here and for ISA-L's output buffer
/// inflate node-app's 576 MB layer as fast as 64 KiB did, and with two layers decoding at once
/// they took about 0.4 MiB off gcc-single.oci's peak RSS (paired runs, `/usr/bin/time -f %M`).
const INPUT: usize = 1 << 15;

#[cfg(test)]
mod tests;
