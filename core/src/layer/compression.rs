//! Layer compression, detected from magic bytes only. Media types and file names lie (crane names
//! gzip layers `.tar.gz`, docker-archive names them `.tar`, and some registries label zstd as
//! gzip), so they are never trusted, and nothing is trial-decoded.

use std::io::{self, Read};

use serde::Serialize;

use crate::source::SkipRead;

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// A plain tar stream.
    None,
    /// gzip (RFC 1952), possibly several members.
    Gzip,
    /// zstd (RFC 8878), possibly several frames.
    Zstd,
}

impl Compression {
    /// Sniff from the first bytes of a blob: `1f 8b` gzip, `28 b5 2f fd` zstd, else plain.
    pub fn sniff(magic: &[u8]) -> Compression {
        if magic.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// Lower-case name for messages and reports.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "tar",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Reader that returns a few already-read bytes before the rest of `inner` (to sniff the magic
/// of a non-seekable stream without losing it).
pub(crate) struct Prefixed<R> {
    prefix: [u8; 4],
    start: usize,
    end: usize,
    inner: R,
}

impl<R: Read> Prefixed<R> {
    /// Read up to 4 bytes of `inner` for sniffing, keeping them to be returned first.
    pub(crate) fn sniff(mut inner: R) -> io::Result<(Compression, Self)> {
        let mut prefix = [0u8; 4];
        let mut end = 0;
        while end < prefix.len() {
            let n = inner.read(&mut prefix[end..])?;
            if n == 0 {
                break;
            }
            end += n;
        }
        let kind = Compression::sniff(&prefix[..end]);
        Ok((
            kind,
            Prefixed {
                prefix,
                start: 0,
                end,
                inner,
            },
        ))
    }

    /// Whether any byte is left (used between zstd frames by the pure-Rust decoder).
    #[cfg(not(feature = "native-zstd"))]
    fn has_more(&mut self) -> io::Result<bool> {
        if self.start < self.end {
            return Ok(true);
        }
        let n = self.inner.read(&mut self.prefix[..1])?;
        self.start = 0;
        self.end = n;
        Ok(n > 0)
    }
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.start < self.end {
            let n = buf.len().min(self.end - self.start);
            buf[..n].copy_from_slice(&self.prefix[self.start..self.start + n]);
            self.start += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

impl<R: SkipRead> SkipRead for Prefixed<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let buffered = ((self.end - self.start) as u64).min(n);
        self.start += buffered as usize;
        self.inner.skip(n - buffered)
    }

    fn skips_cheaply(&self) -> bool {
        self.inner.skips_cheaply()
    }
}

/// Marks errors raised by a decoder so the scanner can report them as corrupt compression
/// rather than a failed read.
#[derive(Debug)]
pub(crate) struct DecodeError {
    pub compression: &'static str,
    pub error: io::Error,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for DecodeError {}

/// A decoder whose errors are wrapped in [`DecodeError`], and which stops with an error once it
/// has produced more than `limit` bytes (the decompression-bomb guard).
pub(crate) struct Decoded<D> {
    inner: D,
    compression: &'static str,
    produced: u64,
    limit: u64,
}

impl<D: Read> Read for Decoded<D> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf).map_err(|error| {
            let kind = error.kind();
            let compression = self.compression;
            io::Error::new(kind, DecodeError { compression, error })
        })?;
        self.produced += n as u64;
        if self.produced > self.limit {
            return Err(io::Error::other(LimitHit(self.limit)));
        }
        Ok(n)
    }
}

impl<D: Read> SkipRead for Decoded<D> {}

/// Raised when a decoder produced more than its limit.
#[derive(Debug)]
pub(crate) struct LimitHit(pub u64);

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "decompressed size exceeds {} bytes", self.0)
    }
}

impl std::error::Error for LimitHit {}

/// Open a decoder for `kind` over `inner`, producing at most `limit` bytes.
pub(crate) fn decoder<'a, R: Read + 'a>(
    kind: Compression,
    inner: R,
    limit: u64,
) -> io::Result<Box<dyn SkipRead + 'a>> {
    Ok(match kind {
        // Plain layers from seekable input never come here (they are read directly so skips stay
        // cheap); a plain layer from a stream is simply passed through.
        Compression::None => Box::new(crate::source::Sequential(inner)),
        Compression::Gzip => Box::new(Decoded {
            inner: gzip_decoder(inner),
            compression: "gzip",
            produced: 0,
            limit,
        }),
        Compression::Zstd => Box::new(Decoded {
            inner: zstd_decoder(inner)?,
            compression: "zstd",
            produced: 0,
            limit,
        }),
    })
}

#[cfg(feature = "native-gzip")]
fn gzip_decoder<'a, R: Read + 'a>(inner: R) -> Box<dyn Read + 'a> {
    Box::new(imgslim_gzip::Decoder::new(inner))
}

#[cfg(not(feature = "native-gzip"))]
fn gzip_decoder<'a, R: Read + 'a>(inner: R) -> Box<dyn Read + 'a> {
    Box::new(flate2::read::MultiGzDecoder::new(
        io::BufReader::with_capacity(1 << 16, inner),
    ))
}

#[cfg(feature = "native-zstd")]
fn zstd_decoder<'a, R: Read + 'a>(inner: R) -> io::Result<Box<dyn Read + 'a>> {
    Ok(Box::new(zstd::stream::read::Decoder::new(inner)?))
}

#[cfg(not(feature = "native-zstd"))]
fn zstd_decoder<'a, R: Read + 'a>(inner: R) -> io::Result<Box<dyn Read + 'a>> {
    Ok(Box::new(pure_zstd::MultiFrame::new(inner)))
}

/// The pure-Rust zstd decoder, reading every frame of a multi-frame stream (RFC 8878 §3.1 allows
/// concatenated frames; zstdmt and some registries write them).
#[cfg(not(feature = "native-zstd"))]
mod pure_zstd {
    use std::io::{self, Read};

    use ruzstd::decoding::{FrameDecoder, StreamingDecoder};

    use super::Prefixed;

    pub(crate) struct MultiFrame<R: Read> {
        state: State<R>,
    }

    enum State<R: Read> {
        Start(Prefixed<R>),
        Frame(Box<StreamingDecoder<Prefixed<R>, FrameDecoder>>),
        Done,
    }

    impl<R: Read> MultiFrame<R> {
        pub(crate) fn new(inner: R) -> Self {
            let p = Prefixed {
                prefix: [0; 4],
                start: 0,
                end: 0,
                inner,
            };
            MultiFrame {
                state: State::Start(p),
            }
        }
    }

    fn corrupt(e: impl std::fmt::Display) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e.to_string())
    }

    impl<R: Read> Read for MultiFrame<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            loop {
                match std::mem::replace(&mut self.state, State::Done) {
                    State::Done => return Ok(0),
                    State::Start(mut p) => {
                        if !p.has_more()? {
                            return Ok(0);
                        }
                        let dec = StreamingDecoder::new(p).map_err(corrupt)?;
                        self.state = State::Frame(Box::new(dec));
                    }
                    State::Frame(mut dec) => {
                        let n = dec.read(buf)?;
                        if n > 0 || buf.is_empty() {
                            self.state = State::Frame(dec);
                            return Ok(n);
                        }
                        self.state = State::Start(dec.into_inner());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_not_names() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8, 0]), Compression::Gzip);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd]),
            Compression::Zstd
        );
        assert_eq!(Compression::sniff(b"usr/"), Compression::None);
        assert_eq!(Compression::sniff(&[0x1f]), Compression::None);
    }

    #[test]
    fn gzip_round_trip_and_bomb_limit() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&vec![0u8; 1 << 20]).unwrap();
        let gz = enc.finish().unwrap();
        let mut out = Vec::new();
        decoder(Compression::Gzip, &gz[..], 2 << 20)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 1 << 20);
        let err = decoder(Compression::Gzip, &gz[..], 1000)
            .unwrap()
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(err.get_ref().is_some_and(|e| e.is::<LimitHit>()));
    }
}
