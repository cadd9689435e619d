//! Scanning one layer: decompress (by magic), walk its tar entries, and record each entry's
//! metadata, where its content lives, and (when asked) the sha256 of its content. Layers are
//! scanned independently of each other, so they can be scanned in parallel.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

use super::compression::{self, Compression, DecodeError, LimitHit, Prefixed};
use super::contents::{DigestList, Digests, SeenKeys};
use super::path::{self, Whiteout};
use crate::error::{Error, Location, Result};
use crate::exec::probe::{self, Packed};
use crate::options::Limits;
use crate::parallel::{self, ContentHasher};
use crate::progress::{CancelledIo, Progress, Ticking};
use crate::source::{RangeReader, Sequential, SkipRead, Source};
use crate::tar::{Item, TarError, TarReader, typeflag};
use crate::warning::{Warning, WarningKind};

/// A byte range in a layer's name arena.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: u32,
    pub len: u32,
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A hard link to another entry of the image.
    Hardlink,
    /// A character device.
    Char,
    /// A block device.
    Block,
    /// A named pipe.
    Fifo,
    /// `.wh.NAME`: deletes NAME from lower layers.
    Whiteout,
    /// `.wh..wh..opq`: the directory hides everything below it from lower layers.
    Opaque,
    /// Other `.wh..wh.*` names (AUFS metadata): no effect on the filesystem.
    Meta,
}

/// One tar entry of a layer.
#[derive(Debug, Clone)]
pub(crate) struct ScanEntry {
    /// The member name cleaned like Go's `path.Clean` (may start with `/` or `..`).
    pub path: Span,
    /// Raw link target (symlink) or cleaned link path (hardlink).
    pub link: Span,
    pub kind: Kind,
    /// Header size (what dive counts; 0 for most non-regular entries).
    pub size: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Offset of the content in the uncompressed layer stream.
    pub data_offset: u64,
    /// Index into [`LayerScan::digests`] of the content's digests, or `NO_HASH`. Kept out of line:
    /// most entries are directories, links or unhashed files, and 32 inline bytes each would
    /// dominate the scan's memory.
    pub hash: u32,
}

/// Everything learnt from one layer stream.
#[derive(Debug, Default)]
pub(crate) struct LayerScan {
    pub entries: Vec<ScanEntry>,
    /// Path bytes of all entries.
    pub names: Vec<u8>,
    pub compression: Option<Compression>,
    /// Length of the uncompressed tar stream.
    pub stream_len: u64,
    /// sha256 of the uncompressed stream, when it was computed.
    pub diff_id: Option<String>,
    /// sha256 of the blob as stored, when it was computed.
    pub blob_digest: Option<String>,
    /// Digests of contents hashed while streaming.
    pub digests: DigestList,
    /// Whether every regular file's content was hashed (and probed).
    pub hashed_all: bool,
    /// What the content probes found, by the entry's data offset.
    pub gathered: Vec<(u64, Packed)>,
    /// dive 0.13.1 would refuse this layer (a PAX global header with a name).
    pub dive_rejects: bool,
    pub warnings: Vec<Warning>,
}

/// What the report keeps of a layer's scan once its entries are in the tree.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LayerTotals {
    pub compression: Compression,
    /// Length of the uncompressed tar stream.
    pub stream_len: u64,
    /// dive's size: the sum of the header sizes.
    pub size_bytes: u64,
    /// Entries that are not directories or whiteouts.
    pub files: u64,
    /// Every content was hashed and probed while streaming.
    pub probed: bool,
}

/// `ScanEntry::hash` of an entry whose content was not hashed.
pub(crate) const NO_HASH: u32 = u32::MAX;

impl LayerScan {
    pub(crate) fn totals(&self) -> LayerTotals {
        LayerTotals {
            compression: self.compression.unwrap_or(Compression::None),
            stream_len: self.stream_len,
            size_bytes: self.entries.iter().map(|e| e.size).sum(),
            files: self
                .entries
                .iter()
                .filter(|e| {
                    !matches!(
                        e.kind,
                        Kind::Dir | Kind::Whiteout | Kind::Opaque | Kind::Meta
                    )
                })
                .count() as u64,
            probed: self.hashed_all,
        }
    }

    /// Drop the entries, their names and digests (what the merge has copied into the tree).
    pub(crate) fn release_entries(&mut self) {
        self.entries = Vec::new();
        self.names = Vec::new();
        self.digests = DigestList::default();
    }

    /// The digests of an entry's content, if it was hashed.
    pub(crate) fn digests_of(&self, e: &ScanEntry) -> Option<Digests> {
        self.digests.get(e.hash as usize)
    }

    /// Bytes of a span.
    pub(crate) fn bytes(&self, span: Span) -> &[u8] {
        &self.names[span.start as usize..(span.start + span.len) as usize]
    }

    fn push_name(&mut self, bytes: &[u8], at: &Location) -> Result<Span> {
        let start = u32::try_from(self.names.len()).ok();
        let len = u32::try_from(bytes.len()).ok();
        match (start, len) {
            (Some(start), Some(len)) if start.checked_add(len).is_some() => {
                self.names.extend_from_slice(bytes);
                Ok(Span { start, len })
            }
            _ => Err(Error::LimitExceeded {
                at: at.clone(),
                what: "total length of path names in one layer".into(),
                limit: "4 GiB".into(),
                flag: "(no option; split the layer)",
            }),
        }
    }
}

/// How a scan treats file contents.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScanPlan<'l> {
    /// Hash every regular file's content. When false and the input skips cheaply, contents are
    /// skipped and hashed later only where a figure needs them.
    pub hash_contents: bool,
    /// Compute the layer's diff_id and blob digest (reads every byte).
    pub verify: bool,
    pub limits: &'l Limits,
    /// Content keys seen by every scan of the analysis (see [`super::contents`]).
    pub seen: &'l SeenKeys,
    /// Layers whose blob is at least this large hash on a second thread ([`pipeline_from`]).
    pub pipeline_from: u64,
}

/// Where a layer's bytes come from.
pub(crate) enum LayerInput<'s, 'r> {
    /// A range of a random-access source.
    Range {
        src: &'s dyn Source,
        offset: u64,
        len: u64,
    },
    /// A sequential stream of known length (an outer-tar member read from stdin).
    Stream { reader: &'r mut dyn Read, len: u64 },
}

impl LayerInput<'_, '_> {
    fn len(&self) -> u64 {
        match self {
            LayerInput::Range { len, .. } | LayerInput::Stream { len, .. } => *len,
        }
    }
}

/// sha256 of every byte that passes through; skipping reads so nothing is missed.
struct HashTee<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashTee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

impl<R: Read> SkipRead for HashTee<R> {}

fn digest_string(hasher: Sha256) -> String {
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

/// Scan one layer.
pub(crate) fn scan(
    input: LayerInput<'_, '_>,
    plan: ScanPlan<'_>,
    at: &Location,
    progress: &Progress<'_>,
) -> Result<LayerScan> {
    let blob_len = input.len();
    let cap = plan.limits.decompressed_cap(blob_len);
    let map = |e: io::Error| map_io(at, e, plan.limits);
    match input {
        LayerInput::Range { src, offset, len } => {
            let mut magic = [0u8; 4];
            let n = crate::source::read_full_at(src, offset, &mut magic[..len.min(4) as usize])
                .map_err(&map)?;
            let kind = Compression::sniff(&magic[..n]);
            let raw = Ticking {
                inner: RangeReader::new(src, offset, len),
                progress,
            };
            if kind == Compression::None && !plan.verify {
                // Seekable plain tar: contents can be skipped without reading them.
                let mut scan = walk(raw, plan, at, len)?;
                scan.compression = Some(kind);
                scan.stream_len = len;
                return Ok(scan);
            }
            scan_stream(Sequential(raw), kind, blob_len, cap, plan, at)
        }
        LayerInput::Stream { reader, .. } => {
            let raw = Ticking {
                inner: Sequential(reader),
                progress,
            };
            let (kind, prefixed) = Prefixed::sniff(raw).map_err(&map)?;
            scan_stream(prefixed, kind, blob_len, cap, plan, at)
        }
    }
}

fn scan_stream<R: Read>(
    raw: R,
    kind: Compression,
    blob_len: u64,
    cap: u64,
    plan: ScanPlan<'_>,
    at: &Location,
) -> Result<LayerScan> {
    let map = |e: io::Error| map_io(at, e, plan.limits);
    let scan = if plan.verify {
        let mut blob = HashTee {
            inner: raw,
            hasher: Sha256::new(),
        };
        let scan = {
            let decoded = compression::decoder(kind, &mut blob, cap).map_err(&map)?;
            let mut stream = HashTee {
                inner: decoded,
                hasher: Sha256::new(),
            };
            let mut scan = walk(&mut stream, plan, at, blob_len)?;
            io::copy(&mut stream, &mut io::sink()).map_err(&map)?;
            scan.diff_id = Some(digest_string(stream.hasher));
            scan
        };
        // Trailing bytes after the compressed stream still belong to the blob's digest.
        io::copy(&mut blob, &mut io::sink()).map_err(&map)?;
        let mut scan = scan;
        scan.compression = Some(kind);
        scan.blob_digest = Some(digest_string(blob.hasher));
        if kind == Compression::None {
            scan.diff_id = scan.blob_digest.clone();
        }
        scan
    } else {
        let decoded = compression::decoder(kind, raw, cap).map_err(&map)?;
        let mut scan = walk(decoded, plan, at, blob_len)?;
        scan.compression = Some(kind);
        scan
    };
    Ok(scan)
}

/// Map an I/O error from a layer read to the core error, telling decoder failures, limits,
/// cancellation and truncation apart.
pub(crate) fn map_io(at: &Location, e: io::Error, limits: &Limits) -> Error {
    let decode = e.get_ref().is_some_and(|i| i.is::<DecodeError>());
    if let Some(inner) = e.get_ref() {
        if inner.is::<CancelledIo>() {
            return Error::Cancelled;
        }
        if let Some(hit) = inner.downcast_ref::<LimitHit>() {
            return Error::LimitExceeded {
                at: at.clone(),
                what: format!(
                    "decompressed size (possible decompression bomb; cap {} bytes)",
                    hit.0
                ),
                limit: format!(
                    "{}x the compressed size (or {} bytes)",
                    limits.max_expansion, limits.max_layer_bytes
                ),
                flag: "--max-expansion / --max-layer-size",
            };
        }
    }
    if decode {
        let kind = e.kind();
        return match e.into_inner().map(|b| b.downcast::<DecodeError>()) {
            Some(Ok(d)) => Error::CorruptCompression {
                at: at.clone(),
                compression: d.compression,
                source: d.error,
            },
            _ => Error::from_io(at.clone(), kind.into()),
        };
    }
    Error::from_io(at.clone(), e)
}

fn tar_error(at: &Location, e: TarError, limits: &Limits) -> Error {
    match e {
        TarError::Io(e) => map_io(at, e, limits),
        TarError::Corrupt { offset, reason } => Error::CorruptTar {
            at: at.clone(),
            reason: format!("{reason} at byte {offset} of the layer stream"),
        },
    }
}

fn kind_of(typeflag: u8) -> Option<Kind> {
    Some(match typeflag {
        typeflag::REGULAR | typeflag::CONTIGUOUS | b'S' => Kind::File,
        typeflag::HARDLINK => Kind::Hardlink,
        typeflag::SYMLINK => Kind::Symlink,
        typeflag::CHAR => Kind::Char,
        typeflag::BLOCK => Kind::Block,
        typeflag::DIR | b'D' => Kind::Dir,
        typeflag::FIFO => Kind::Fifo,
        _ => return None,
    })
}

/// Layers whose blob is smaller than this never hash on a second thread: for them a thread costs
/// more than it saves.
const PIPELINE_MIN: u64 = 16 << 20;

/// The blob size from which the layers of one analysis hash on a second thread, given the sizes
/// of the blobs scanned side by side and the number of `cores`: only the largest layers, one per
/// two cores. A pipelined layer keeps two cores busy, so beyond that hashing threads only take
/// turns with the reading threads; on two cores, the one layer that decides the scan's length
/// gets the second core while the others hash inline. On one core, none.
pub(crate) fn pipeline_from(blob_lens: impl Iterator<Item = u64>, cores: usize) -> u64 {
    let Some(last) = (cores / 2).checked_sub(1) else {
        return u64::MAX;
    };
    let mut lens: Vec<u64> = blob_lens.collect();
    lens.sort_unstable_by(|a, b| b.cmp(a));
    lens.get(last)
        .map_or(PIPELINE_MIN, |&smallest| smallest.max(PIPELINE_MIN))
}

/// Walk the tar entries of an (uncompressed) layer stream. `blob_len` (the stored size) decides
/// whether hashing is worth a thread of its own.
fn walk<R: SkipRead>(
    stream: R,
    plan: ScanPlan<'_>,
    at: &Location,
    blob_len: u64,
) -> Result<LayerScan> {
    let tar = TarReader::new(stream);
    let hash_contents = plan.hash_contents || !tar.skips_cheaply();
    let pipelined = hash_contents && blob_len >= plan.pipeline_from;
    let (scan, learnt) = parallel::with_hasher(pipelined, plan.seen, |hasher| {
        walk_entries(tar, plan, at, hash_contents, hasher)
    });
    let mut scan = scan?;
    // Hashed entries are in data-offset order, like their hash indexes.
    let offsets: Vec<u64> = scan
        .entries
        .iter()
        .filter(|e| e.hash != NO_HASH)
        .map(|e| e.data_offset)
        .collect();
    scan.gathered = learnt
        .gathered
        .into_iter()
        .filter_map(|(i, g)| Some((*offsets.get(i as usize)?, g)))
        .collect();
    scan.digests = learnt.digests;
    scan.hashed_all = hash_contents;
    // Grown by doubling, these carry up to half their size in slack, and every scan is held
    // until the merge: trimmed, the analysis peaks a quarter lower on images with many files.
    scan.entries.shrink_to_fit();
    scan.names.shrink_to_fit();
    scan.digests.shrink_to_fit();
    Ok(scan)
}

fn walk_entries<R: SkipRead>(
    mut tar: TarReader<R>,
    plan: ScanPlan<'_>,
    at: &Location,
    hash_contents: bool,
    hasher: &mut dyn ContentHasher,
) -> Result<LayerScan> {
    let mut scan = LayerScan::default();
    let mut hashed = 0u32;
    let terr = |e| tar_error(at, e, plan.limits);
    while let Some(item) = tar.next_item().map_err(terr)? {
        let e = match item {
            Item::Entry(e) => e,
            Item::Global { name, records } => {
                // dive skips any member whose name cleans to `.` before it looks at the type, so
                // only a named global header makes dive refuse the layer.
                if path::clean(&name) != b"." {
                    scan.dive_rejects = true;
                }
                // git archive writes a `comment` with the commit id; nothing in it changes the
                // filesystem, so it is noted and the layer read on (dive rejects such layers).
                let keys: Vec<_> = records.iter().map(|(k, _)| k.as_str()).collect();
                scan.warnings.push(Warning::new(
                    WarningKind::PaxGlobalHeader,
                    format!("{at}: PAX global header ({}) ignored", keys.join(", ")),
                ));
                continue;
            }
        };
        if scan.entries.len() as u64 >= plan.limits.max_entries {
            return Err(Error::LimitExceeded {
                at: at.clone(),
                what: "number of entries".into(),
                limit: plan.limits.max_entries.to_string(),
                flag: "--max-entries",
            });
        }
        let cleaned = path::clean(&e.path);
        let Some(mut kind) = kind_of(e.typeflag) else {
            scan.warnings.push(Warning::new(
                WarningKind::UnsupportedEntry,
                format!(
                    "{at}: entry {:?} has unsupported tar type {:?}; ignored",
                    path::display(&e.path),
                    e.typeflag as char
                ),
            ));
            continue;
        };
        let (_, base) = path::split_parent(&cleaned);
        match path::whiteout(base) {
            Whiteout::No => {}
            Whiteout::Remove(_) => kind = Kind::Whiteout,
            Whiteout::Opaque => kind = Kind::Opaque,
            Whiteout::Meta => kind = Kind::Meta,
        }
        let link = match kind {
            Kind::Hardlink => path::clean(&e.link),
            Kind::Symlink => e.link.clone(),
            _ => Vec::new(),
        };
        let mut hash = NO_HASH;
        if kind == Kind::File && e.data_len > 0 && hash_contents {
            hasher.begin_entry(e.data_len, probe::wants_text(&cleaned));
            loop {
                let n = hasher
                    .fill(&mut |buf| tar.read_data(buf))
                    .map_err(|err| map_io(at, err, plan.limits))?;
                if n == 0 {
                    break;
                }
            }
            hasher.end_entry();
            hash = hashed;
            hashed += 1;
        }
        let path = scan.push_name(&cleaned, at)?;
        let link = scan.push_name(&link, at)?;
        scan.entries.push(ScanEntry {
            path,
            link,
            kind,
            size: e.size,
            mode: e.mode,
            uid: e.uid.min(u64::from(u32::MAX)) as u32,
            gid: e.gid.min(u64::from(u32::MAX)) as u32,
            data_offset: e.data_offset,
            hash,
        });
    }
    // Finish the current entry so the stream length is the full tar, not the last header.
    scan.stream_len = tar.position();
    // The stream ends where the decoder (or the bounded member) ends: read the zero blocks and
    // padding too, so a plain layer read from a stream or under --verify measures the whole
    // blob, as the seekable path does.
    scan.stream_len += tar.drain().map_err(|e| map_io(at, e, plan.limits))?;
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_largest_layers_hash_on_a_second_thread() {
        const MIB: u64 = 1 << 20;
        let lens = [64 * MIB, 500 * MIB, 3 * MIB, 230 * MIB];
        let pipelined = |cores| {
            let from = pipeline_from(lens.iter().copied(), cores);
            lens.iter().filter(|&&l| l >= from).count()
        };
        // One pipelined layer per two cores, largest first; none on one core.
        assert_eq!(pipelined(1), 0);
        assert_eq!(pipelined(2), 1);
        assert_eq!(pipelined(3), 1);
        assert_eq!(pipelined(4), 2);
        assert_eq!(pipelined(6), 3);
        // Never a layer under the minimum, however many cores there are.
        assert_eq!(pipelined(16), 3);
        assert_eq!(pipeline_from([5 * MIB].into_iter(), 2), PIPELINE_MIN);
        // A layer read from a stream is scanned alone.
        assert_eq!(pipeline_from(std::iter::empty(), 2), PIPELINE_MIN);
        assert_eq!(pipeline_from(std::iter::empty(), 1), u64::MAX);
    }
}
