//! Streaming tar reader over a [`SkipRead`]: yields entries with PAX and GNU long names applied
//! and remembers where each entry's content starts, so a later pass can read it by offset.
//!
//! Written here rather than taken from the `tar` crate because the scanner needs three things it
//! does not give together: skipping content without reading it on seekable input, raw byte paths
//! with PAX global headers surfaced instead of hidden, and errors that carry the byte offset.

use std::io::{self, Read};

use super::header::{self, BLOCK, RawHeader};
use crate::source::{Counted, SkipRead};

/// PAX records and GNU long names larger than this are refused: real ones are a few hundred
/// bytes, and a hostile multi-GB one would otherwise be buffered whole.
const MAX_META: u64 = 1 << 20;

/// One archive member, with extended headers applied.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Raw path bytes as stored (not normalised).
    pub path: Vec<u8>,
    /// Raw link target (symlinks and hardlinks).
    pub link: Vec<u8>,
    /// Typeflag (`b'0'` for a NUL typeflag).
    pub typeflag: u8,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Size from the header (or PAX `size`): what dive counts, even for header-only types.
    pub size: u64,
    pub mtime: i64,
    /// Bytes of content that follow in the stream (0 for header-only types, as Go's archive/tar
    /// and so Docker treat them).
    pub data_len: u64,
    /// Offset of the content in the stream.
    pub data_offset: u64,
}

/// What the reader yields.
#[derive(Debug)]
pub(crate) enum Item {
    /// A member.
    Entry(Entry),
    /// A PAX global header (`g`), such as `git archive` writes: its member name and records.
    Global {
        name: Vec<u8>,
        records: Vec<(String, Vec<u8>)>,
    },
}

/// Errors, with the stream offset where they were found.
#[derive(Debug)]
pub(crate) enum TarError {
    Io(io::Error),
    Corrupt { offset: u64, reason: String },
}

impl From<io::Error> for TarError {
    fn from(e: io::Error) -> Self {
        TarError::Io(e)
    }
}

/// Header-only typeflags: hardlink, symlink, char, block, directory, FIFO.
fn header_only(typeflag: u8) -> bool {
    matches!(typeflag, b'1' | b'2' | b'3' | b'4' | b'5' | b'6')
}

/// The streaming reader.
pub(crate) struct TarReader<R> {
    r: Counted<R>,
    /// Content bytes of the current entry not yet consumed.
    remaining: u64,
    /// Padding after the current entry's content.
    padding: u64,
    done: bool,
}

impl<R: SkipRead> TarReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        TarReader {
            r: Counted { inner, count: 0 },
            remaining: 0,
            padding: 0,
            done: false,
        }
    }

    /// Bytes consumed from the stream so far.
    pub(crate) fn position(&self) -> u64 {
        self.r.count
    }

    /// Whether skipping content avoids reading it.
    pub(crate) fn skips_cheaply(&self) -> bool {
        self.r.skips_cheaply()
    }

    /// Read the rest of the stream (after the end marker), so a caller hashing the whole stream
    /// sees every byte. Returns how many bytes followed the end marker.
    pub(crate) fn drain(&mut self) -> io::Result<u64> {
        self.finish_entry()?;
        io::copy(&mut self.r, &mut io::sink())
    }

    fn finish_entry(&mut self) -> io::Result<()> {
        let n = self.remaining + self.padding;
        self.remaining = 0;
        self.padding = 0;
        if n > 0 {
            self.r.skip(n)?;
        }
        Ok(())
    }

    /// Read a block; `Ok(None)` at a clean end of stream.
    fn read_block(&mut self, block: &mut [u8; BLOCK]) -> Result<Option<()>, TarError> {
        let mut filled = 0;
        while filled < BLOCK {
            let n = self.r.read(&mut block[filled..])?;
            if n == 0 {
                if filled == 0 {
                    return Ok(None);
                }
                return Err(TarError::Io(io::ErrorKind::UnexpectedEof.into()));
            }
            filled += n;
        }
        Ok(Some(()))
    }

    fn read_meta(&mut self, size: u64, offset: u64) -> Result<Vec<u8>, TarError> {
        if size > MAX_META {
            return Err(TarError::Corrupt {
                offset,
                reason: format!("extended header of {size} bytes (limit {MAX_META})"),
            });
        }
        let mut data = vec![0u8; size as usize];
        self.r.read_exact(&mut data)?;
        let pad = padding(size);
        if pad > 0 {
            self.r.skip(pad)?;
        }
        Ok(data)
    }

    /// The next item, or `None` at the end of the archive.
    pub(crate) fn next_item(&mut self) -> Result<Option<Item>, TarError> {
        if self.done {
            return Ok(None);
        }
        self.finish_entry()?;
        let mut long_name: Option<Vec<u8>> = None;
        let mut long_link: Option<Vec<u8>> = None;
        let mut pax: Vec<(String, Vec<u8>)> = Vec::new();
        let mut first_offset: Option<u64> = None;
        let mut block = [0u8; BLOCK];
        loop {
            let offset = self.position();
            if self.read_block(&mut block)?.is_none() {
                // A stream that ends without the two zero blocks is accepted (many writers
                // omit them), but not in the middle of a member's extended headers.
                if first_offset.is_some() {
                    return Err(TarError::Io(io::ErrorKind::UnexpectedEof.into()));
                }
                self.done = true;
                return Ok(None);
            }
            if header::is_zero_block(&block) {
                if first_offset.is_some() {
                    return Err(TarError::Corrupt {
                        offset,
                        reason: "end-of-archive marker after an extended header".into(),
                    });
                }
                self.done = true;
                return Ok(None);
            }
            let raw = header::parse(&block).map_err(|e| TarError::Corrupt {
                offset,
                reason: e.to_string(),
            })?;
            first_offset.get_or_insert(offset);
            match raw.typeflag {
                b'L' => long_name = Some(trim_nul(self.read_meta(raw.size, offset)?)),
                b'K' => long_link = Some(trim_nul(self.read_meta(raw.size, offset)?)),
                b'x' | b'X' => pax.extend(parse_pax(&self.read_meta(raw.size, offset)?, offset)?),
                b'g' => {
                    let records = parse_pax(&self.read_meta(raw.size, offset)?, offset)?;
                    return Ok(Some(Item::Global {
                        name: long_name.unwrap_or(raw.name),
                        records,
                    }));
                }
                _ => {
                    let entry = self.make_entry(raw, long_name, long_link, &pax, first_offset)?;
                    return Ok(Some(Item::Entry(entry)));
                }
            }
        }
    }

    fn make_entry(
        &mut self,
        raw: RawHeader,
        long_name: Option<Vec<u8>>,
        long_link: Option<Vec<u8>>,
        pax: &[(String, Vec<u8>)],
        first_offset: Option<u64>,
    ) -> Result<Entry, TarError> {
        let offset = first_offset.unwrap_or(0);
        let mut e = Entry {
            path: long_name.unwrap_or(raw.name),
            link: long_link.unwrap_or(raw.linkname),
            typeflag: raw.typeflag,
            mode: raw.mode,
            uid: raw.uid,
            gid: raw.gid,
            size: raw.size,
            mtime: raw.mtime,
            data_len: 0,
            data_offset: 0,
        };
        for (key, value) in pax {
            let num = || -> Result<u64, TarError> {
                std::str::from_utf8(value)
                    .ok()
                    .and_then(|s| s.split('.').next()?.parse().ok())
                    .ok_or_else(|| TarError::Corrupt {
                        offset,
                        reason: format!("bad PAX {key} value"),
                    })
            };
            match key.as_str() {
                "path" => e.path = value.clone(),
                "linkpath" => e.link = value.clone(),
                "size" => e.size = num()?,
                "uid" => e.uid = num()?,
                "gid" => e.gid = num()?,
                "mtime" => e.mtime = num()? as i64,
                _ => {}
            }
        }
        e.data_len = if header_only(e.typeflag) { 0 } else { e.size };
        e.data_offset = self.position();
        self.remaining = e.data_len;
        self.padding = padding(e.data_len);
        Ok(e)
    }

    /// Read content of the current entry.
    pub(crate) fn read_data(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(self.remaining) as usize;
        let n = self.r.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.remaining -= n as u64;
        Ok(n)
    }

    /// A `Read` over the current entry's content.
    pub(crate) fn data(&mut self) -> EntryData<'_, R> {
        EntryData { tar: self }
    }
}

/// The content of the current entry, as a reader.
pub(crate) struct EntryData<'a, R> {
    tar: &'a mut TarReader<R>,
}

impl<R: SkipRead> Read for EntryData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.tar.read_data(buf)
    }
}

fn padding(len: u64) -> u64 {
    (BLOCK as u64 - len % BLOCK as u64) % BLOCK as u64
}

fn trim_nul(mut v: Vec<u8>) -> Vec<u8> {
    while v.last() == Some(&0) {
        v.pop();
    }
    v
}

/// PAX records: `"<len> <key>=<value>\n"`, where `<len>` counts the whole record.
fn parse_pax(data: &[u8], offset: u64) -> Result<Vec<(String, Vec<u8>)>, TarError> {
    let bad = |why: &str| TarError::Corrupt {
        offset,
        reason: format!("bad PAX record: {why}"),
    };
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            break;
        }
        let space = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| bad("no length"))?;
        let len: usize = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("length is not a number"))?;
        if len <= space + 1 || len > rest.len() {
            return Err(bad("length out of range"));
        }
        let record = &rest[space + 1..len];
        let record = record
            .strip_suffix(b"\n")
            .ok_or_else(|| bad("no newline"))?;
        let eq = record
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(|| bad("no '='"))?;
        let key = String::from_utf8_lossy(&record[..eq]).into_owned();
        out.push((key, record[eq + 1..].to_vec()));
        rest = &rest[len..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_records_parse() {
        let rec = b"28 path=some/very/long/name\n17 size=12345678\n";
        let got = parse_pax(rec, 0).unwrap();
        assert_eq!(got[0], ("path".into(), b"some/very/long/name".to_vec()));
        assert_eq!(got[1], ("size".into(), b"12345678".to_vec()));
        assert!(parse_pax(b"99 path=x\n", 0).is_err());
        assert!(parse_pax(b"nonsense", 0).is_err());
    }

    #[test]
    fn padding_rounds_to_block() {
        assert_eq!(padding(0), 0);
        assert_eq!(padding(1), 511);
        assert_eq!(padding(512), 0);
        assert_eq!(padding(513), 511);
    }
}
