//! Needles searched in the bytes of large files, and the window that lets a match straddle two
//! chunks.

use memchr::memmem::Finder;

use crate::exec::{LIBC_ZONEINFO, is_path_byte};

/// Longest string followed across chunk boundaries (a path, a soname): matches need this much
/// context on either side.
pub(super) const LOOK: usize = 4096;

/// Length of the longest needle below.
pub(super) const NEEDLE_MAX: usize = b"/usr/share/".len();

/// Needles searched in large files, built once.
pub(super) struct Finders {
    pub(super) zoneinfo: Finder<'static>,
    pub(super) share: Finder<'static>,
    pub(super) pytz: Finder<'static>,
    pub(super) so: Finder<'static>,
    pub(super) slash: Finder<'static>,
    pub(super) dollar: Finder<'static>,
}

pub(super) fn finders() -> &'static Finders {
    static FINDERS: std::sync::OnceLock<Finders> = std::sync::OnceLock::new();
    FINDERS.get_or_init(|| Finders {
        zoneinfo: Finder::new(b"zoneinfo"),
        share: Finder::new(b"/usr/share/"),
        pytz: Finder::new(b"pytz"),
        so: Finder::new(b".so"),
        slash: Finder::new(b"\0/"),
        dollar: Finder::new(b"\0$"),
    })
}

/// Whether the `zoneinfo` at `p` is inside one of libc's own NUL-delimited strings.
pub(super) fn libc_zoneinfo(bytes: &[u8], base: u64, p: usize) -> bool {
    let Some(start) = bytes[..p].iter().rposition(|&b| b == 0).map(|i| i + 1) else {
        return false;
    };
    let Some(end) = bytes[p..].iter().position(|&b| b == 0).map(|n| p + n) else {
        return false;
    };
    base + start as u64 > 0 && LIBC_ZONEINFO.contains(&&bytes[start..end])
}

/// The `/usr/share/…` path starting at `p`, when it is a whole NUL-terminated string naming a
/// file with an extension.
pub(super) fn embedded_at(bytes: &[u8], base: u64, p: usize, size: u64) -> Option<String> {
    let whole = base + p as u64 == 0 || bytes[p - 1] == 0;
    if !whole {
        return None;
    }
    let len = bytes[p..].iter().position(|&b| !is_path_byte(b));
    let end = match len {
        Some(n) => p + n,
        // The path runs to the end of what is here: only acceptable at the end of the file.
        None if base + bytes.len() as u64 == size => bytes.len(),
        None => return None,
    };
    if bytes.get(end).is_some_and(|&b| b != 0) {
        return None;
    }
    let path = String::from_utf8_lossy(&bytes[p..end]).into_owned();
    path.rsplit('/')
        .next()
        .is_some_and(|n| n.contains('.'))
        .then_some(path)
}

/// The whole NUL-terminated string around a needle at `p`: `(start, bytes)` in window
/// coordinates. `starts_at` means the needle is `\0` followed by the string's first byte.
pub(super) fn candidate_at(bytes: &[u8], p: usize, starts_at: bool) -> Option<(usize, &[u8])> {
    let start = if starts_at {
        p + 1
    } else {
        bytes[..p].iter().rposition(|&b| b == 0)? + 1
    };
    let end = start + bytes[start..].iter().position(|&b| b == 0)?;
    (end - start <= LOOK).then(|| (start, &bytes[start..end]))
}

/// A sliding view over the stream that keeps [`LOOK`] bytes of context on both sides of every
/// position it reports, so a match straddling two chunks is seen once and whole.
#[derive(Default)]
pub(super) struct Window {
    bytes: Vec<u8>,
    /// File offset of `bytes[0]`.
    pub(super) base: u64,
    /// Positions before this were reported by an earlier call.
    pub(super) done: usize,
}

impl Window {
    pub(super) fn push(&mut self, data: &[u8]) {
        self.bytes.extend_from_slice(data);
    }

    /// `(base, bytes, from, to)`: report matches starting in `from..to`, which have `LOOK`
    /// bytes after them unless the stream is over.
    pub(super) fn span(&self, last: bool) -> (u64, &[u8], usize, usize) {
        let to = if last {
            self.bytes.len()
        } else {
            self.bytes.len().saturating_sub(LOOK).max(self.done)
        };
        (self.base, &self.bytes, self.done, to)
    }

    /// Drop what no later match can need: keep `LOOK` bytes before the first unreported
    /// position, and everything after it.
    pub(super) fn advance(&mut self, last: bool) {
        let (_, _, _, to) = self.span(last);
        let keep_from = to.saturating_sub(LOOK);
        self.bytes.drain(..keep_from);
        self.base += keep_from as u64;
        self.done = to - keep_from;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_needle_is_longer_than_needle_max() {
        let f = finders();
        for finder in [&f.zoneinfo, &f.share, &f.pytz, &f.so, &f.slash, &f.dollar] {
            assert!(finder.needle().len() <= NEEDLE_MAX);
        }
        assert_eq!(NEEDLE_MAX, f.share.needle().len());
    }
}
