//! Random-access input. The core never opens files: callers hand it a [`Source`] (a `Vec<u8>` in
//! tests, `pread` on a file in the CLI, `Blob` slices in the browser) and the core reads byte ranges.

use std::io::{self, Read};

/// A random-access byte source: the whole input archive, or one blob of an OCI layout directory.
pub trait Source: Send + Sync {
    /// Total length in bytes.
    fn len(&self) -> u64;

    /// Read up to `buf.len()` bytes at `offset`; returns how many were read (0 only at the end).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;

    /// True when the source has no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Source for [u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let Ok(start) = usize::try_from(offset) else {
            return Ok(0);
        };
        let Some(rest) = self.get(start..) else {
            return Ok(0);
        };
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }
}

impl Source for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.as_slice().read_at(offset, buf)
    }
}

impl<S: Source + ?Sized> Source for &S {
    fn len(&self) -> u64 {
        (**self).len()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
}

impl<S: Source + ?Sized> Source for std::sync::Arc<S> {
    fn len(&self) -> u64 {
        (**self).len()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
}

/// Read at `offset` until `buf` is full or the source ends (a `read_at` may return fewer bytes
/// than asked); returns how many bytes were read.
pub(crate) fn read_full_at(src: &dyn Source, mut offset: u64, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = src.read_at(offset, &mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
        offset += n as u64;
    }
    Ok(filled)
}

/// Read exactly `buf.len()` bytes at `offset`, or fail with `UnexpectedEof`.
pub(crate) fn read_exact_at(src: &dyn Source, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    if read_full_at(src, offset, buf)? < buf.len() {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

/// A byte stream that can also skip forward cheaply. Seekable readers skip without reading;
/// decompressors read and drop.
pub(crate) trait SkipRead: Read {
    /// Advance `n` bytes without returning them.
    fn skip(&mut self, mut n: u64) -> io::Result<()> {
        let mut buf = [0u8; 16 * 1024];
        while n > 0 {
            let want = n.min(buf.len() as u64) as usize;
            let got = self.read(&mut buf[..want])?;
            if got == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            n -= got as u64;
        }
        Ok(())
    }

    /// Whether `skip` avoids reading (so skipping content saves I/O).
    fn skips_cheaply(&self) -> bool {
        false
    }
}

impl<T: SkipRead + ?Sized> SkipRead for &mut T {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        (**self).skip(n)
    }

    fn skips_cheaply(&self) -> bool {
        (**self).skips_cheaply()
    }
}

impl<T: SkipRead + ?Sized> SkipRead for Box<T> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        (**self).skip(n)
    }

    fn skips_cheaply(&self) -> bool {
        (**self).skips_cheaply()
    }
}

/// Buffered reader over a byte range of a [`Source`]. Skips inside or past the buffer cost no
/// read: on uncompressed layers this is what lets a header-only scan jump over file contents.
///
/// The refill size adapts: it starts small after a skip (the next header is 512 bytes, and the
/// file after it may be skipped too) and doubles while reads stay sequential (runs of small files
/// are then read in few calls). Profiling a header-only scan of a 668 MB image showed a fixed
/// 256 KiB refill spending most of its time copying page-cache bytes that were skipped.
pub(crate) struct RangeReader<'a> {
    src: &'a dyn Source,
    /// Absolute offset of the next byte to return.
    pos: u64,
    end: u64,
    buf: Vec<u8>,
    /// Valid bytes in `buf` are `buf[head..tail]`, starting at absolute offset `pos`.
    head: usize,
    tail: usize,
    /// Bytes to read at the next refill.
    fill: usize,
}

/// Refill size right after a skip.
const MIN_FILL: usize = 8 * 1024;
/// Reads at least this large always go straight into the caller's buffer, however far the
/// refill size has grown.
const BYPASS: usize = 64 * 1024;
/// Largest refill: large enough that the syscall cost vanishes next to decompression, small
/// enough to keep one per layer thread.
const MAX_FILL: usize = 256 * 1024;

impl<'a> RangeReader<'a> {
    /// A reader over `src[offset .. offset + len]`, clamped to the source's end.
    pub(crate) fn new(src: &'a dyn Source, offset: u64, len: u64) -> Self {
        let end = offset.saturating_add(len).min(src.len());
        RangeReader {
            src,
            pos: offset.min(end),
            end,
            buf: Vec::new(),
            head: 0,
            tail: 0,
            fill: MIN_FILL,
        }
    }
}

impl Read for RangeReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.head == self.tail {
            let left = self.end - self.pos;
            if left == 0 {
                return Ok(0);
            }
            // Large reads bypass the buffer: contents being hashed stream straight through, and
            // a decoder's input buffer is filled without a copy in between.
            if out.len() >= self.fill.min(BYPASS) {
                let want = left.min(out.len() as u64) as usize;
                let n = self.src.read_at(self.pos, &mut out[..want])?;
                self.pos += n as u64;
                return Ok(n);
            }
            let want = left.min(self.fill as u64) as usize;
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
            let n = self.src.read_at(self.pos, &mut self.buf[..want])?;
            if n == 0 {
                return Ok(0);
            }
            self.head = 0;
            self.tail = n;
            self.fill = (self.fill * 2).min(MAX_FILL);
        }
        let n = out.len().min(self.tail - self.head);
        out[..n].copy_from_slice(&self.buf[self.head..self.head + n]);
        self.head += n;
        self.pos += n as u64;
        Ok(n)
    }
}

impl SkipRead for RangeReader<'_> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let buffered = (self.tail - self.head) as u64;
        if n <= buffered {
            self.head += n as usize;
        } else {
            self.head = 0;
            self.tail = 0;
            self.fill = MIN_FILL;
        }
        let target = self.pos.saturating_add(n);
        if target > self.end {
            self.pos = self.end;
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.pos = target;
        Ok(())
    }

    fn skips_cheaply(&self) -> bool {
        true
    }
}

/// Any `Read` as a [`SkipRead`] that skips by reading (stdin, decompressors).
pub(crate) struct Sequential<R>(pub R);

impl<R: Read> Read for Sequential<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> SkipRead for Sequential<R> {}

/// Counts the bytes that pass through, so the scanner knows each entry's offset in the stream.
pub(crate) struct Counted<R> {
    pub inner: R,
    pub count: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

impl<R: SkipRead> SkipRead for Counted<R> {
    fn skip(&mut self, n: u64) -> io::Result<()> {
        self.inner.skip(n)?;
        self.count += n;
        Ok(())
    }

    fn skips_cheaply(&self) -> bool {
        self.inner.skips_cheaply()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_reader_reads_and_skips_within_range() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1_000_000).collect();
        let mut r = RangeReader::new(&data, 10, 600_000);
        let mut b = [0u8; 4];
        r.read_exact(&mut b).unwrap();
        assert_eq!(b, [10, 11, 12, 13]);
        r.skip(300_000).unwrap();
        r.read_exact(&mut b).unwrap();
        let at = 10 + 4 + 300_000;
        assert_eq!(b[0], (at % 256) as u8);
        assert!(
            r.skip(400_000).is_err(),
            "skipping past the range end must fail"
        );
    }

    #[test]
    fn slice_source_reads_past_end_as_zero() {
        let data = vec![1u8, 2, 3];
        let mut b = [0u8; 8];
        assert_eq!(data.read_at(2, &mut b).unwrap(), 1);
        assert_eq!(data.read_at(3, &mut b).unwrap(), 0);
        assert_eq!(data.read_at(u64::MAX, &mut b).unwrap(), 0);
    }
}
