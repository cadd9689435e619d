//! [`Facts`] of one file gathered while its bytes stream past, during the layer scan or a read
//! back from an uncompressed layer, so that closure resolution never decompresses a layer a
//! second time and never holds a whole library.
//!
//! Files up to [`WHOLE`] bytes are buffered and parsed whole ([`Facts::of`]). Larger ones keep
//! only what the loader reads: the ELF header and program headers, the `PT_INTERP` and
//! `PT_DYNAMIC` segments, and the strings `DT_NEEDED`, `DT_RUNPATH` and `DT_RPATH` point at.
//! Those strings live in `.dynstr`, which linkers place before `.dynamic`, so its address is
//! known only after the strings have passed: on the way, every NUL-terminated string that could
//! be a soname or a search path is kept with its offset (a few kilobytes even for a 50 MB
//! library). A reference that none of them covers makes the facts incomplete, and the caller
//! reads that one file whole.

use memchr::memmem::Finder;
use object::Endianness;
use object::elf::{self, DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_STRSZ, DT_STRTAB};
use object::read::elf::{Dyn, FileHeader, ProgramHeader};

use super::elf::{ElfInfo, is_elf, split_paths};
use super::{Facts, LIBC_ZONEINFO, is_path_byte};

/// Files up to this size are kept whole while they pass and parsed like any read file.
pub(crate) const WHOLE: u64 = 1 << 20;

/// Configuration files closure resolution reads (`ld.so.conf`, `os-release`) are kept when they
/// are at most this large.
pub(crate) const TEXT_MAX: u64 = 64 << 10;

/// Bytes of a large file kept from its start: the ELF header, program headers and interpreter
/// are always within it for the loaders' sake, and so is a script's `#!` line.
const HEAD: usize = 64 << 10;

/// Longest string followed across chunk boundaries (a path, a soname): matches need this much
/// context on either side.
const LOOK: usize = 4096;

/// Largest `PT_DYNAMIC` collected (real ones are a few kilobytes).
const SEGMENT_MAX: u64 = 1 << 20;

/// Bytes of candidate dynamic strings kept from one file.
const CANDIDATES_MAX: usize = 1 << 20;

/// What the scan learnt from one file's bytes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Gathered {
    /// Its facts, when it is an ELF file or a script.
    pub facts: Option<Facts>,
    /// Its bytes, when it is one of the configuration files closure resolution reads.
    pub text: Option<Vec<u8>>,
}

/// Whether closure resolution reads the file at this (cleaned, relative) path as text.
pub(crate) fn wants_text(path: &[u8]) -> bool {
    matches!(
        path,
        b"etc/ld.so.conf" | b"etc/os-release" | b"usr/lib/os-release"
    ) || path.starts_with(b"etc/ld.so.conf.d/")
}

/// Consumes one file's bytes in order.
pub(crate) struct Probe {
    size: u64,
    keep_text: bool,
    state: State,
}

enum State {
    /// The first bytes, until there are enough to tell what the file is.
    Sniff(Vec<u8>),
    /// A small interesting file, kept whole.
    Whole(Vec<u8>),
    /// A large ELF file or script, read as a stream.
    Large(Box<Streaming>),
    /// Nothing to learn.
    Off,
}

impl Probe {
    /// A probe for a file of `size` bytes; `keep_text` keeps its bytes when it is small.
    pub(crate) fn new(size: u64, keep_text: bool) -> Probe {
        Probe {
            size,
            keep_text: keep_text && size <= TEXT_MAX,
            state: State::Sniff(Vec::new()),
        }
    }

    /// The next bytes of the file.
    pub(crate) fn feed(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Off => {}
            State::Whole(buf) => buf.extend_from_slice(data),
            State::Large(s) => s.feed(data),
            State::Sniff(head) => {
                let need = 4usize.min(self.size as usize);
                if head.len() + data.len() < need {
                    head.extend_from_slice(data);
                    return;
                }
                let mut first = std::mem::take(head);
                first.extend_from_slice(data);
                self.state = if !(self.keep_text || Facts::worth_reading(&first)) {
                    State::Off
                } else if self.size <= WHOLE {
                    State::Whole(first)
                } else {
                    let mut s = Box::new(Streaming::new(self.size, &first));
                    s.feed(&first);
                    State::Large(s)
                };
            }
        }
    }

    /// Everything learnt, once the file's bytes have all been fed; `None` when there is nothing.
    pub(crate) fn finish(self) -> Option<Gathered> {
        let keep_text = self.keep_text;
        match self.state {
            State::Off => None,
            State::Sniff(head) | State::Whole(head) => {
                let facts = Facts::worth_reading(&head).then(|| Facts::of(&head));
                let text = keep_text.then_some(head);
                (facts.is_some() || text.is_some()).then_some(Gathered { facts, text })
            }
            State::Large(s) => Some(Gathered {
                facts: Some(s.finish()),
                text: None,
            }),
        }
    }
}

/// A probe is fed by writing to it (a content copied out of an uncompressed layer).
impl std::io::Write for Probe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.feed(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where the loader looks in a large ELF file, from its program headers.
#[derive(Debug, Default)]
struct Layout {
    big_endian: bool,
    class64: bool,
    interp: Option<Range>,
    dynamic: Option<Range>,
    /// `PT_LOAD` segments: virtual address, file size, file offset.
    loads: Vec<(u64, u64, u64)>,
}

/// Bytes of a file range, collected as they pass.
#[derive(Debug, Default)]
struct Range {
    offset: u64,
    len: u64,
    bytes: Vec<u8>,
}

impl Range {
    fn new(offset: u64, len: u64) -> Range {
        Range {
            offset,
            len,
            bytes: Vec::new(),
        }
    }

    /// Copy the part of `data` (which starts at file offset `pos`) that the range still needs.
    /// Bytes arrive in order, but the head may already have supplied some of them.
    fn take(&mut self, pos: u64, data: &[u8]) {
        let need = self.offset + self.bytes.len() as u64;
        let end = self
            .offset
            .saturating_add(self.len)
            .min(pos + data.len() as u64);
        if pos <= need && need < end {
            self.bytes
                .extend_from_slice(&data[(need - pos) as usize..(end - pos) as usize]);
        }
    }

    fn complete(&self) -> Option<&[u8]> {
        (self.bytes.len() as u64 == self.len).then_some(&self.bytes)
    }
}

/// The dynamic section's string references, once `PT_DYNAMIC` has been read.
#[derive(Debug)]
struct Strings {
    /// File offset and size of the string table.
    table: (u64, u64),
    /// `(tag, offset in the string table)` of every string the loader uses, in order.
    refs: Vec<(u32, u64)>,
    /// Strings that start after the point where the table became known, read as they pass.
    ahead: Vec<Range>,
}

struct Streaming {
    size: u64,
    pos: u64,
    head: Vec<u8>,
    script: bool,
    elf: Option<Layout>,
    /// `None` until `PT_DYNAMIC` is read; `Some` with empty refs when there is nothing to read.
    strings: Option<Strings>,
    /// Candidate dynamic strings by file offset (see the module docs).
    candidates: Vec<(u64, Vec<u8>)>,
    candidate_bytes: usize,
    /// Candidates are collected from offsets before this: once the string table is known,
    /// the strings still ahead are read directly.
    collect_until: u64,
    /// The facts cannot be trusted as complete.
    incomplete: bool,
    window: Window,
    embedded: Vec<String>,
    names_zoneinfo: bool,
    pytz: bool,
}

impl Streaming {
    fn new(size: u64, first: &[u8]) -> Streaming {
        Streaming {
            size,
            pos: 0,
            head: Vec::new(),
            script: first.starts_with(b"#!"),
            elf: None,
            strings: None,
            candidates: Vec::new(),
            candidate_bytes: 0,
            collect_until: u64::MAX,
            incomplete: false,
            window: Window::default(),
            embedded: Vec::new(),
            names_zoneinfo: false,
            pytz: false,
        }
    }

    fn is_elf(&self) -> bool {
        is_elf(&self.head)
    }

    fn feed(&mut self, data: &[u8]) {
        let pos = self.pos;
        if self.head.len() < HEAD {
            let n = (HEAD - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..n]);
            if self.head.len() == HEAD && self.is_elf() {
                self.read_layout();
            }
        }
        if let Some(layout) = &mut self.elf {
            for r in [&mut layout.interp, &mut layout.dynamic]
                .into_iter()
                .flatten()
            {
                r.take(pos, data);
            }
        }
        if let Some(s) = &mut self.strings {
            for r in &mut s.ahead {
                r.take(pos, data);
            }
        }
        self.pos += data.len() as u64;
        self.scan(data, false);
        if self.strings.is_none() {
            self.read_dynamic();
        }
    }

    /// Parse the program headers from the head (once it is complete or the file ended).
    fn read_layout(&mut self) {
        if self.elf.is_some() {
            return;
        }
        let layout = match self.head.get(4) {
            Some(&elf::ELFCLASS64) => layout::<elf::FileHeader64<Endianness>>(&self.head),
            Some(&elf::ELFCLASS32) => layout::<elf::FileHeader32<Endianness>>(&self.head),
            _ => None,
        };
        match layout {
            Some(mut l) => {
                // Segments already (partly) inside the head are filled from it.
                for r in [&mut l.interp, &mut l.dynamic].into_iter().flatten() {
                    r.take(0, &self.head);
                }
                if l.dynamic.is_none() {
                    self.strings = Some(Strings {
                        table: (0, 0),
                        refs: Vec::new(),
                        ahead: Vec::new(),
                    });
                }
                self.elf = Some(l);
            }
            None => self.incomplete = true,
        }
    }

    /// Once `PT_DYNAMIC` is complete: find the string table and the strings to read.
    fn read_dynamic(&mut self) {
        let Some(layout) = &self.elf else { return };
        let Some(dynamic) = layout.dynamic.as_ref().and_then(Range::complete) else {
            return;
        };
        let entries = dyn_entries(layout.class64, layout.big_endian, dynamic);
        let (mut strtab, mut strsz) = (None, 0u64);
        for &(tag, val) in &entries {
            match tag {
                DT_STRTAB => strtab = Some(val),
                DT_STRSZ => strsz = val,
                _ => {}
            }
        }
        let table = strtab.and_then(|addr| {
            layout.loads.iter().find_map(|&(vaddr, filesz, off)| {
                (addr >= vaddr && addr < vaddr.saturating_add(filesz)).then(|| addr - vaddr + off)
            })
        });
        let refs: Vec<(u32, u64)> = entries
            .iter()
            .filter(|(t, _)| matches!(*t, DT_NEEDED | DT_RUNPATH | DT_RPATH))
            .map(|&(t, v)| (t, v))
            .collect();
        let Some(table) = table else {
            // No string table (nothing to read), or one no segment maps: the whole-file parser
            // rejects the latter, so it is marked for a whole read.
            if strtab.is_some() {
                self.incomplete = true;
            }
            self.strings = Some(Strings {
                table: (0, 0),
                refs: Vec::new(),
                ahead: Vec::new(),
            });
            return;
        };
        self.collect_until = self.pos;
        let ahead = refs
            .iter()
            .map(|&(_, off)| table.saturating_add(off))
            .filter(|&at| at >= self.pos)
            .map(|at| Range::new(at, LOOK as u64))
            .collect();
        self.strings = Some(Strings {
            table: (table, strsz),
            refs,
            ahead,
        });
    }

    /// Look for what matters in the bytes that just passed.
    fn scan(&mut self, data: &[u8], last: bool) {
        let until = self.collect_until;
        let collect = self.is_elf()
            && !self.incomplete
            && self.window.base + (self.window.done as u64) < until;
        let want_zone = !self.names_zoneinfo;
        let want_paths = self.is_elf() && self.embedded.len() < 64;
        let want_pytz = self.script && !self.pytz;
        let size = self.size;
        let w = &mut self.window;
        w.push(data);
        let (base, bytes, from, to) = w.span(last);
        let finders = finders();
        if want_zone {
            for p in finders.zoneinfo.find_iter(&bytes[from..]).map(|p| p + from) {
                if p >= to {
                    break;
                }
                if !libc_zoneinfo(bytes, base, p) {
                    self.names_zoneinfo = true;
                    break;
                }
            }
        }
        if want_paths {
            for p in finders.share.find_iter(&bytes[from..]).map(|p| p + from) {
                if p >= to || self.embedded.len() >= 64 {
                    break;
                }
                if let Some(path) = embedded_at(bytes, base, p, size) {
                    if !self.embedded.contains(&path) {
                        self.embedded.push(path);
                    }
                }
            }
        }
        if want_pytz
            && finders
                .pytz
                .find(&bytes[from..])
                .is_some_and(|p| p + from < to)
        {
            self.pytz = true;
        }
        if collect {
            let mut found: Vec<(u64, Vec<u8>)> = Vec::new();
            for (finder, starts_at) in [
                (&finders.so, false),
                (&finders.slash, true),
                (&finders.dollar, true),
            ] {
                for p in finder.find_iter(&bytes[from..]).map(|p| p + from) {
                    if p >= to || base + p as u64 >= until {
                        break;
                    }
                    if let Some(c) = candidate_at(bytes, p, starts_at) {
                        found.push((base + c.0 as u64, c.1.to_vec()));
                    }
                }
            }
            for c in found {
                self.candidate_bytes += c.1.len();
                self.candidates.push(c);
            }
            // String tables come early in a file, so past the budget the candidates kept are
            // the ones that matter; a reference beyond them still makes the facts incomplete.
            if self.candidate_bytes > CANDIDATES_MAX {
                self.collect_until = base + to as u64;
            }
        }
        w.advance(last);
    }

    fn finish(mut self) -> Facts {
        self.scan(&[], true);
        if self.is_elf() && self.elf.is_none() {
            // A file shorter than the head: its program headers were never parsed.
            self.read_layout();
            if self.strings.is_none() {
                self.read_dynamic();
            }
        }
        let shebang = self.head.strip_prefix(b"#!").map(|rest| {
            rest.split(|&b| b == b'\n')
                .next()
                .unwrap_or_default()
                .to_vec()
        });
        let mut facts = Facts {
            elf: None,
            embedded: Vec::new(),
            names_zoneinfo: self.names_zoneinfo || (self.script && self.pytz),
            shebang,
            incomplete: self.incomplete,
        };
        if !self.is_elf() {
            return facts;
        }
        facts.embedded = std::mem::take(&mut self.embedded);
        match self.elf_info() {
            Some(info) => facts.elf = Some(info),
            None => facts.incomplete = true,
        }
        facts
    }

    /// The loader facts from what was kept; `None` when something the loader needs is missing.
    fn elf_info(&mut self) -> Option<ElfInfo> {
        let layout = self.elf.as_ref()?;
        let mut info = ElfInfo::default();
        if let Some(r) = &layout.interp {
            let bytes = r.complete()?;
            // Like the whole-file parser: an interpreter without its NUL is no interpreter.
            if let Some(end) = bytes.iter().position(|&b| b == 0) {
                info.interp = Some(String::from_utf8_lossy(&bytes[..end]).into_owned());
            }
        }
        if layout.dynamic.is_some() {
            layout.dynamic.as_ref()?.complete()?;
            info.dynamic = true;
        }
        let strings = self.strings.as_ref()?;
        self.candidates.sort_by_key(|c| c.0);
        let (table, strsz) = strings.table;
        for &(tag, off) in &strings.refs {
            let at = table.saturating_add(off);
            let limit = table.saturating_add(strsz);
            let s = self.string_at(at, limit)?;
            let text = String::from_utf8_lossy(&s).into_owned();
            match tag {
                DT_NEEDED => info.needed.push(text),
                DT_RUNPATH => info.runpath.extend(split_paths(text.as_bytes())),
                _ => info.rpath.extend(split_paths(text.as_bytes())),
            }
        }
        Some(info)
    }

    /// The NUL-terminated string at file offset `at` (not past `limit`), from the head, the
    /// strings read ahead, or the candidates.
    fn string_at(&self, at: u64, limit: u64) -> Option<Vec<u8>> {
        let until_nul = |bytes: &[u8]| -> Option<Vec<u8>> {
            let room = (limit.saturating_sub(at) as usize).min(bytes.len());
            let end = bytes[..room].iter().position(|&b| b == 0)?;
            Some(bytes[..end].to_vec())
        };
        if at < self.head.len() as u64 {
            return until_nul(&self.head[at as usize..]);
        }
        let strings = self.strings.as_ref()?;
        if let Some(r) = strings.ahead.iter().find(|r| r.offset == at) {
            return until_nul(&r.bytes);
        }
        let i = self
            .candidates
            .partition_point(|c| c.0 <= at)
            .checked_sub(1)?;
        let (start, bytes) = &self.candidates[i];
        let skip = (at - start) as usize;
        // The candidate ends at its NUL: `at` must fall inside it (string tables share suffixes).
        if skip >= bytes.len() {
            return None;
        }
        let room = (limit.saturating_sub(at) as usize).min(bytes.len() - skip);
        (room == bytes.len() - skip).then(|| bytes[skip..].to_vec())
    }
}

fn layout<H: FileHeader<Endian = Endianness>>(head: &[u8]) -> Option<Layout> {
    let header = H::parse(head).ok()?;
    let endian = header.endian().ok()?;
    let phdrs = header.program_headers(endian, head).ok()?;
    let mut l = Layout {
        big_endian: endian == Endianness::Big,
        class64: head.get(4) == Some(&elf::ELFCLASS64),
        ..Layout::default()
    };
    for ph in phdrs {
        let off: u64 = ph.p_offset(endian).into();
        let filesz: u64 = ph.p_filesz(endian).into();
        match ph.p_type(endian) {
            elf::PT_INTERP => l.interp = Some(Range::new(off, filesz)),
            elf::PT_DYNAMIC => l.dynamic = Some(Range::new(off, filesz)),
            elf::PT_LOAD => l.loads.push((ph.p_vaddr(endian).into(), filesz, off)),
            _ => {}
        }
    }
    // Sizes come from the file: a segment larger than any real one is not collected; the file
    // is left to a whole read.
    let oversized = |r: &Option<Range>| r.as_ref().is_some_and(|r| r.len > SEGMENT_MAX);
    if oversized(&l.interp) || oversized(&l.dynamic) {
        return None;
    }
    Some(l)
}

/// `(tag, value)` of every entry of a dynamic segment; tags that do not fit in 32 bits are
/// skipped (none the loader reads here do).
fn dyn_entries(class64: bool, big_endian: bool, data: &[u8]) -> Vec<(u32, u64)> {
    let endian = if big_endian {
        Endianness::Big
    } else {
        Endianness::Little
    };
    fn entries<D: Dyn<Endian = Endianness>>(endian: Endianness, data: &[u8]) -> Vec<(u32, u64)> {
        let n = data.len() / std::mem::size_of::<D>();
        let Ok((dyns, _)) = object::pod::slice_from_bytes::<D>(data, n) else {
            return Vec::new();
        };
        dyns.iter()
            .filter_map(|d| Some((d.tag32(endian)?, d.d_val(endian).into())))
            .collect()
    }
    if class64 {
        entries::<elf::Dyn64<Endianness>>(endian, data)
    } else {
        entries::<elf::Dyn32<Endianness>>(endian, data)
    }
}

/// Needles searched in large files, built once.
struct Finders {
    zoneinfo: Finder<'static>,
    share: Finder<'static>,
    pytz: Finder<'static>,
    so: Finder<'static>,
    slash: Finder<'static>,
    dollar: Finder<'static>,
}

fn finders() -> &'static Finders {
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
fn libc_zoneinfo(bytes: &[u8], base: u64, p: usize) -> bool {
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
fn embedded_at(bytes: &[u8], base: u64, p: usize, size: u64) -> Option<String> {
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
fn candidate_at(bytes: &[u8], p: usize, starts_at: bool) -> Option<(usize, &[u8])> {
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
struct Window {
    bytes: Vec<u8>,
    /// File offset of `bytes[0]`.
    base: u64,
    /// Positions before this were reported by an earlier call.
    done: usize,
}

impl Window {
    fn push(&mut self, data: &[u8]) {
        self.bytes.extend_from_slice(data);
    }

    /// `(base, bytes, from, to)`: report matches starting in `from..to`, which have `LOOK`
    /// bytes after them unless the stream is over.
    fn span(&self, last: bool) -> (u64, &[u8], usize, usize) {
        let to = if last {
            self.bytes.len()
        } else {
            self.bytes.len().saturating_sub(LOOK).max(self.done)
        };
        (self.base, &self.bytes, self.done, to)
    }

    /// Drop what no later match can need: keep `LOOK` bytes before the first unreported
    /// position, and everything after it.
    fn advance(&mut self, last: bool) {
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
    use crate::exec::elf::build_padded;

    /// Feed `data` in chunks of `chunk` bytes and return the facts.
    fn streamed(data: &[u8], chunk: usize) -> Facts {
        let mut p = Probe::new(data.len() as u64, false);
        for c in data.chunks(chunk) {
            p.feed(c);
        }
        p.finish().and_then(|g| g.facts).unwrap_or_default()
    }

    fn same(a: &Facts, b: &Facts) {
        assert_eq!(a.elf, b.elf);
        assert_eq!(a.embedded, b.embedded);
        assert_eq!(a.names_zoneinfo, b.names_zoneinfo);
        assert_eq!(a.shebang, b.shebang);
    }

    /// A large ELF file whose string table comes before its dynamic segment, as linkers lay
    /// them out, padded past the whole-file limit with code-like bytes.
    fn large_elf(tail: &[u8]) -> Vec<u8> {
        build_padded(
            Some("/lib64/ld-linux-x86-64.so.2"),
            &["libfoo.so.1", "libc.so.6"],
            Some("$ORIGIN/../lib:/opt/x/lib"),
            3 << 19,
            tail,
        )
    }

    #[test]
    fn large_files_stream_to_the_same_facts_as_a_whole_read() {
        let mut tail = Vec::new();
        tail.extend_from_slice(b"\0/usr/share/nodejs/acorn.js\0");
        tail.extend_from_slice(b"\0/usr/share/zoneinfo\0x/usr/share/zoneinfo/Europe\0");
        let data = large_elf(&tail);
        assert!(data.len() as u64 > WHOLE);
        let whole = Facts::of(&data);
        assert_eq!(
            whole.elf.as_ref().map(|e| e.needed.clone()),
            Some(vec!["libfoo.so.1".to_string(), "libc.so.6".to_string()])
        );
        assert!(whole.names_zoneinfo);
        for chunk in [1 << 17, 4096, 4095, 333, 7] {
            let s = streamed(&data, chunk);
            assert!(!s.incomplete, "chunk {chunk}");
            same(&s, &whole);
        }
    }

    #[test]
    fn the_test_binary_itself_streams_like_a_whole_read() {
        // A real, large, dynamically linked ELF file is always at hand: this test's own binary.
        let data = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let whole = Facts::of(&data);
        assert!(whole.elf.as_ref().is_some_and(|e| !e.needed.is_empty()));
        for chunk in [128 << 10, 65_537, 1000] {
            let s = streamed(&data, chunk);
            if data.len() as u64 > WHOLE {
                assert!(!s.incomplete);
            }
            same(&s, &whole);
        }
    }

    #[test]
    fn uninteresting_files_keep_nothing_and_texts_are_kept() {
        let mut p = Probe::new(5, false);
        p.feed(b"hel");
        p.feed(b"lo");
        assert!(p.finish().is_none());
        let mut p = Probe::new(10, true);
        p.feed(b"/opt/lib\n\n");
        let g = p.finish().unwrap();
        assert_eq!(g.text.as_deref(), Some(&b"/opt/lib\n\n"[..]));
        assert!(g.facts.is_none());
        assert!(wants_text(b"etc/ld.so.conf.d/x.conf"));
        assert!(!wants_text(b"etc/passwd"));
    }

    #[test]
    fn a_large_script_keeps_its_shebang_and_pytz() {
        let mut data = b"#!/usr/bin/env python3\nimport os\n".to_vec();
        data.resize(3 << 20, b' ');
        data.extend_from_slice(b"import pytz\n");
        let s = streamed(&data, 5000);
        same(&s, &Facts::of(&data));
        assert!(s.names_zoneinfo);
        assert_eq!(s.shebang.as_deref(), Some(&b"/usr/bin/env python3"[..]));
    }

    #[test]
    fn a_reference_no_candidate_covers_is_incomplete() {
        // A soname without `.so` that is neither a path: not kept on the way, so the facts
        // say the file must be read whole.
        let data = build_padded(None, &["weird"], None, 3 << 19, b"");
        assert!(streamed(&data, 4096).incomplete);
        assert_eq!(Facts::of(&data).elf.unwrap().needed, ["weird"]);
    }
}
