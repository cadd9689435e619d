//! What the dynamic loader needs from an ELF file: its interpreter (`PT_INTERP`), the libraries
//! it names (`DT_NEEDED`) and where it says to look (`DT_RUNPATH`, `DT_RPATH`). Read through the
//! program headers, as `ld.so` does, so stripped files without section headers work too.

use object::elf::{
    DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_STRSZ, DT_STRTAB, PT_DYNAMIC, PT_INTERP, PT_LOAD,
};
use object::read::elf::{Dyn, FileHeader, ProgramHeader};
use object::read::{ReadCache, ReadCacheOps, StringTable};
use object::{Endianness, ReadRef, elf};

/// Largest `PT_INTERP` or `PT_DYNAMIC` segment read (real ones are a few kilobytes): sizes come
/// from the file, and a hostile one must not make a read the size of the file.
pub(crate) const SEGMENT_MAX: u64 = 1 << 20;

/// Alignment of `PT_DYNAMIC` entries: ELF32, ELF64.
pub(crate) const DYN_ALIGN: [u64; 2] = [4, 8];

/// The loader-relevant facts of one ELF file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ElfInfo {
    /// `PT_INTERP`, for dynamically linked executables.
    pub interp: Option<String>,
    /// `DT_NEEDED` sonames, in order.
    pub needed: Vec<String>,
    /// `DT_RUNPATH` entries.
    pub runpath: Vec<String>,
    /// `DT_RPATH` entries (ignored by the loader when `DT_RUNPATH` is present).
    pub rpath: Vec<String>,
    /// True when the file has a `PT_DYNAMIC` segment.
    pub dynamic: bool,
}

impl ElfInfo {
    /// Statically linked: no interpreter and nothing needed.
    pub fn is_static(&self) -> bool {
        self.interp.is_none() && self.needed.is_empty()
    }
}

/// True when the bytes start with the ELF magic.
pub(crate) fn is_elf(data: &[u8]) -> bool {
    data.starts_with(b"\x7fELF")
}

/// Parse an ELF file; `None` when it is not one or is malformed.
pub(crate) fn parse<'d, R: ReadRef<'d>>(data: R) -> Option<ElfInfo> {
    let ident = data.read_bytes_at(0, 5).ok()?;
    if !is_elf(ident) {
        return None;
    }
    match ident[4] {
        elf::ELFCLASS64 => parse_as::<elf::FileHeader64<Endianness>, R>(data),
        elf::ELFCLASS32 => parse_as::<elf::FileHeader32<Endianness>, R>(data),
        _ => None,
    }
}

/// Parse an ELF file of `size` bytes through positioned reads (`read(offset, buf)` fills `buf`
/// from `offset` or fails): only the headers, segments and strings the loader uses are read, so
/// a file whose facts a stream could not complete is never held whole.
pub(crate) fn parse_by_reads(size: u64, read: &dyn Fn(u64, &mut [u8]) -> bool) -> Option<ElfInfo> {
    struct Cursor<'r> {
        size: u64,
        pos: u64,
        read: &'r dyn Fn(u64, &mut [u8]) -> bool,
    }
    impl ReadCacheOps for Cursor<'_> {
        fn len(&mut self) -> Result<u64, ()> {
            Ok(self.size)
        }
        fn seek(&mut self, pos: u64) -> Result<u64, ()> {
            self.pos = pos;
            Ok(pos)
        }
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, ()> {
            let n = (buf.len() as u64).min(self.size.saturating_sub(self.pos)) as usize;
            self.read_exact(&mut buf[..n])?;
            Ok(n)
        }
        fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ()> {
            if !(self.read)(self.pos, buf) {
                return Err(());
            }
            self.pos += buf.len() as u64;
            Ok(())
        }
    }
    let cache = ReadCache::new(Cursor { size, pos: 0, read });
    parse(&cache)
}

pub(crate) fn split_paths(s: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(s)
        .split(':')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_as<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(data: R) -> Option<ElfInfo> {
    let header = H::parse(data).ok()?;
    let endian = header.endian().ok()?;
    let phdrs = header.program_headers(endian, data).ok()?;
    let mut info = ElfInfo::default();
    let mut dyns: &[H::Dyn] = &[];
    let dyn_align = DYN_ALIGN[usize::from(header.is_type_64())];
    for ph in phdrs {
        let filesz: u64 = ph.p_filesz(endian).into();
        let offset: u64 = ph.p_offset(endian).into();
        match ph.p_type(endian) {
            PT_INTERP | PT_DYNAMIC if filesz > SEGMENT_MAX => return None,
            PT_INTERP => {
                if let Ok(Some(i)) = ph.interpreter(endian, data) {
                    info.interp = Some(String::from_utf8_lossy(i).into_owned());
                }
            }
            // A misaligned dynamic segment is malformed; refused here whatever the alignment of
            // the buffer it was read into, so every parser agrees.
            PT_DYNAMIC if offset % dyn_align != 0 => {}
            PT_DYNAMIC => {
                if let Ok(Some(d)) = ph.dynamic(endian, data) {
                    dyns = d;
                    info.dynamic = true;
                }
            }
            _ => {}
        }
    }
    // DT_STRTAB is a virtual address: map it to a file offset through the PT_LOAD segments.
    let (mut strtab, mut strsz) = (None, 0u64);
    for d in dyns {
        match d.tag32(endian) {
            Some(DT_STRTAB) => strtab = Some(d.d_val(endian).into()),
            Some(DT_STRSZ) => strsz = d.d_val(endian).into(),
            _ => {}
        }
    }
    let Some(addr) = strtab else {
        return Some(info);
    };
    let offset = phdrs.iter().find_map(|ph| {
        let vaddr: u64 = ph.p_vaddr(endian).into();
        let filesz: u64 = ph.p_filesz(endian).into();
        let off: u64 = ph.p_offset(endian).into();
        (ph.p_type(endian) == PT_LOAD && addr >= vaddr && addr < vaddr.saturating_add(filesz))
            .then(|| addr - vaddr + off)
    })?;
    // The loader does not check DT_STRSZ: a size past the end of the file still leaves the
    // strings readable (the streaming parser reads them the same way).
    let end = offset
        .saturating_add(strsz)
        .min(data.len().unwrap_or(u64::MAX));
    let strings = StringTable::new(data, offset, end);
    for d in dyns {
        let Some(tag) = d.tag32(endian) else { continue };
        let val: u64 = d.d_val(endian).into();
        let Some(s) = u32::try_from(val).ok().and_then(|o| strings.get(o).ok()) else {
            continue;
        };
        match tag {
            DT_NEEDED => info.needed.push(String::from_utf8_lossy(s).into_owned()),
            DT_RUNPATH => info.runpath.extend(split_paths(s)),
            DT_RPATH => info.rpath.extend(split_paths(s)),
            _ => {}
        }
    }
    Some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_elf() {
        assert!(parse(&b"#!/bin/sh\n"[..]).is_none());
        assert!(parse(&b"\x7fELF"[..]).is_none());
    }

    #[test]
    fn splits_search_paths() {
        assert_eq!(
            split_paths(b"$ORIGIN/../lib::/opt/x"),
            ["$ORIGIN/../lib", "/opt/x"]
        );
    }
}

/// A minimal little-endian ELF64 executable naming an interpreter, libraries and a runpath, for
/// tests (the loader-relevant parts only: program headers, a string table and `PT_DYNAMIC`).
#[cfg(test)]
pub(crate) fn build(interp: Option<&str>, needed: &[&str], runpath: Option<&str>) -> Vec<u8> {
    build_padded(interp, needed, runpath, 0, &[])
}

/// Like [`build`], laid out like a large library: `pad` bytes of code-like filler (NULs
/// included) before the string table, and `tail` then the same filler after it, before the
/// dynamic segment.
#[cfg(test)]
pub(crate) fn build_padded(
    interp: Option<&str>,
    needed: &[&str],
    runpath: Option<&str>,
    pad: usize,
    tail: &[u8],
) -> Vec<u8> {
    let filler = |out: &mut Vec<u8>| {
        let mut x: u32 = 0x1234_5678;
        for _ in 0..pad {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            out.push((x >> 24) as u8);
        }
    };
    let nph: usize = if interp.is_some() { 3 } else { 2 };
    let mut strtab = vec![0u8];
    let mut dyns: Vec<(u64, u64)> = Vec::new();
    for n in needed {
        dyns.push((u64::from(DT_NEEDED), strtab.len() as u64));
        strtab.extend_from_slice(n.as_bytes());
        strtab.push(0);
    }
    if let Some(r) = runpath {
        dyns.push((u64::from(DT_RUNPATH), strtab.len() as u64));
        strtab.extend_from_slice(r.as_bytes());
        strtab.push(0);
    }
    let interp_off = 64 + 56 * nph;
    let interp_bytes: Vec<u8> = interp.map_or(Vec::new(), |i| {
        let mut v = i.as_bytes().to_vec();
        v.push(0);
        v
    });
    let str_off = interp_off + interp_bytes.len() + pad;
    let dyn_off = (str_off + strtab.len() + pad + tail.len()).next_multiple_of(8);
    dyns.push((u64::from(DT_STRTAB), str_off as u64));
    dyns.push((u64::from(DT_STRSZ), strtab.len() as u64));
    dyns.push((0, 0));
    let total = dyn_off + 16 * dyns.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"\x7fELF\x02\x01\x01");
    out.resize(16, 0);
    let u16le = |v: u16, o: &mut Vec<u8>| o.extend_from_slice(&v.to_le_bytes());
    let u32le = |v: u32, o: &mut Vec<u8>| o.extend_from_slice(&v.to_le_bytes());
    let u64le = |v: u64, o: &mut Vec<u8>| o.extend_from_slice(&v.to_le_bytes());
    u16le(3, &mut out); // ET_DYN
    u16le(62, &mut out); // x86-64
    u32le(1, &mut out);
    u64le(0, &mut out); // entry
    u64le(64, &mut out); // phoff
    u64le(0, &mut out); // shoff
    u32le(0, &mut out);
    u16le(64, &mut out);
    u16le(56, &mut out);
    u16le(nph as u16, &mut out);
    u16le(64, &mut out);
    u16le(0, &mut out);
    u16le(0, &mut out);
    let ph = |t: u32, off: usize, len: usize, o: &mut Vec<u8>| {
        u32le(t, o);
        u32le(4, o);
        for v in [off, off, off, len, len, 8] {
            u64le(v as u64, o);
        }
    };
    ph(PT_LOAD, 0, total, &mut out);
    if interp.is_some() {
        ph(PT_INTERP, interp_off, interp_bytes.len(), &mut out);
    }
    ph(PT_DYNAMIC, dyn_off, 16 * dyns.len(), &mut out);
    out.extend_from_slice(&interp_bytes);
    filler(&mut out);
    out.extend_from_slice(&strtab);
    filler(&mut out);
    out.extend_from_slice(tail);
    out.resize(dyn_off, 0);
    for (t, v) in dyns {
        u64le(t, &mut out);
        u64le(v, &mut out);
    }
    out
}

/// `data` (from [`build_padded`]) with its program headers copied to the end of the file and
/// `e_phoff` pointing there, the way BOLT lays binaries out.
#[cfg(test)]
pub(crate) fn headers_at_end(mut data: Vec<u8>) -> Vec<u8> {
    let phnum = usize::from(u16::from_le_bytes([data[56], data[57]]));
    let table = data[64..64 + 56 * phnum].to_vec();
    let at = data.len().next_multiple_of(8);
    data.resize(at, 0);
    data.extend_from_slice(&table);
    data[32..40].copy_from_slice(&(at as u64).to_le_bytes());
    data
}

#[cfg(test)]
mod built {
    use super::*;

    #[test]
    fn reads_back_what_build_wrote() {
        let data = build(
            Some("/lib64/ld-linux-x86-64.so.2"),
            &["libfoo.so.1", "libc.so.6"],
            Some("$ORIGIN/../lib"),
        );
        let info = parse(&data[..]).expect("parses");
        assert_eq!(info.interp.as_deref(), Some("/lib64/ld-linux-x86-64.so.2"));
        assert_eq!(info.needed, ["libfoo.so.1", "libc.so.6"]);
        assert_eq!(info.runpath, ["$ORIGIN/../lib"]);
        assert!(!info.is_static());
    }
}
