//! Large ELF files and scripts read as a stream: what the loader needs is kept as it passes
//! (see the parent module), everything else is looked at once and dropped.

use object::Endianness;
use object::elf::{self, DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_STRSZ, DT_STRTAB};
use object::read::elf::{Dyn, FileHeader, ProgramHeader};

use super::needles::{LOOK, NEEDLE_MAX, Window, candidate_at, embedded_at, finders, libc_zoneinfo};
use crate::exec::elf::{DYN_ALIGN, ElfInfo, SEGMENT_MAX, is_elf, split_paths};
use crate::exec::{EMBEDDED_MAX, Facts};

/// Bytes of a large file kept from its start: the ELF header, program headers and interpreter
/// are always within it for the loaders' sake, and so is a script's `#!` line.
const HEAD: usize = 64 << 10;

/// Most bytes scanned at once (see [`Streaming::feed`]).
const PIECE: usize = 16 << 10;

/// Bytes of candidate dynamic strings kept from one file.
const CANDIDATES_MAX: usize = 1 << 20;

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

/// The dynamic section's string references, once `PT_DYNAMIC` has been read (empty when there
/// is nothing to read).
#[derive(Debug, Default)]
struct Strings {
    /// File offset and size of the string table.
    table: (u64, u64),
    /// `(tag, offset in the string table)` of every string the loader uses, in order.
    refs: Vec<(u32, u64)>,
    /// Strings that start after the point where the table became known, read as they pass.
    ahead: Vec<Range>,
}

pub(super) struct Streaming {
    size: u64,
    pos: u64,
    head: Vec<u8>,
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

/// Add an embedded path found in a file, once.
fn keep_embedded(embedded: &mut Vec<String>, path: Option<String>) {
    if let Some(path) = path.filter(|p| !embedded.contains(p)) {
        embedded.push(path);
    }
}

impl Streaming {
    pub(super) fn new(size: u64) -> Streaming {
        Streaming {
            size,
            pos: 0,
            head: Vec::new(),
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

    fn is_script(&self) -> bool {
        self.head.starts_with(b"#!")
    }

    pub(super) fn feed(&mut self, data: &[u8]) {
        // In pieces, so the window holds one piece plus its context (about 24 KiB) rather than
        // a whole 128 KiB batch slice: less resident memory per probing thread, and no
        // mmap-sized buffer allocated and freed for every large file.
        for piece in data.chunks(PIECE) {
            self.feed_piece(piece);
        }
    }

    fn feed_piece(&mut self, data: &[u8]) {
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
                    self.strings = Some(Strings::default());
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
            .copied()
            .collect();
        let Some(table) = table else {
            // No string table (nothing to read), or one no segment maps: the whole-file parser
            // rejects the latter, so it is marked for the parser's reads by offset.
            if strtab.is_some() {
                self.incomplete = true;
            }
            self.strings = Some(Strings::default());
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
        let want_paths = self.is_elf() && self.embedded.len() < EMBEDDED_MAX;
        let want_pytz = self.is_script() && !self.pytz;
        let size = self.size;
        let w = &mut self.window;
        w.push(data);
        let (base, bytes, from, to) = w.span(last);
        // Only matches starting before `to` count, so the search ends where the longest needle
        // starting there would: the bytes after it are searched again with the next piece.
        let hay = &bytes[..bytes.len().min(to + NEEDLE_MAX)];
        let finders = finders();
        if want_zone {
            for p in finders.zoneinfo.find_iter(&hay[from..]).map(|p| p + from) {
                if p >= to {
                    break;
                }
                if !libc_zoneinfo(bytes, base, p) {
                    self.names_zoneinfo = true;
                    break;
                }
            }
        }
        // An embedded path starts right after a NUL, so while candidates are collected the
        // search for `\0/` finds them too, and the file is searched once less.
        if want_paths && !collect {
            for p in finders.share.find_iter(&hay[from..]).map(|p| p + from) {
                if p >= to || self.embedded.len() >= EMBEDDED_MAX {
                    break;
                }
                keep_embedded(&mut self.embedded, embedded_at(bytes, base, p, size));
            }
        }
        if want_pytz
            && finders
                .pytz
                .find(&hay[from..])
                .is_some_and(|p| p + from < to)
        {
            self.pytz = true;
        }
        if collect {
            let mut found: Vec<(u64, Vec<u8>)> = Vec::new();
            // Per needle: whether the candidate string starts after it, and whether embedded
            // paths are looked for at its hits too.
            for (finder, starts_at, paths) in [
                (&finders.so, false, false),
                (&finders.slash, true, want_paths),
                (&finders.dollar, true, false),
            ] {
                for p in finder.find_iter(&hay[from..]).map(|p| p + from) {
                    if p >= to {
                        break;
                    }
                    // A path that starts where the span ends is found again by the next span's
                    // search for `/usr/share/` once candidates are no longer collected;
                    // `embedded` keeps it once.
                    let path = p + 1;
                    if paths
                        && self.embedded.len() < EMBEDDED_MAX
                        && bytes[path..].starts_with(finders.share.needle())
                    {
                        keep_embedded(&mut self.embedded, embedded_at(bytes, base, path, size));
                    }
                    if base + p as u64 >= until {
                        if paths {
                            continue;
                        }
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

    pub(super) fn finish(mut self) -> Facts {
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
            names_zoneinfo: self.names_zoneinfo || (self.is_script() && self.pytz),
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
            // Misaligned: malformed, and refused by the whole-file parser too.
            elf::PT_DYNAMIC if off % DYN_ALIGN[usize::from(l.class64)] != 0 => {}
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
