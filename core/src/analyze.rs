//! The pipeline: input → archive index → layer scans (parallel) → merge (in layer order) →
//! analyses → [`Report`].

use hashbrown::HashMap;
use std::io::{self, Read, Write};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::analysis::{dive, duplicates, waste};
use crate::archive::store::TarStore;
use crate::archive::stream::{self, Streamed};
use crate::archive::{self, LayerRef, Platform, Resolved, Store};
use crate::error::{Error, Location, Result};
use crate::exec::probe::{Gathered, Packed};
use crate::layer::compression::{self, Compression, Prefixed};
use crate::layer::contents::SeenKeys;
use crate::layer::scan::{self, LayerInput, LayerScan, LayerTotals, ScanPlan};
use crate::options::Options;
use crate::parallel;
use crate::progress::{Progress, Ticking};
use crate::report::{ImageInfo, LayerReport, Report, Summary, Tool};
use crate::source::{RangeReader, Sequential, SkipRead, Source, read_full_at};
use crate::tree::{ContentId, FileTree, merge};
use crate::warning::{Warning, WarningKind};

/// What to analyse.
pub enum Input<'a> {
    /// A tar archive with random access (docker save, podman save, OCI archive); gzip- or
    /// zstd-compressed archives are read in one sequential pass.
    Archive {
        /// The bytes.
        source: Arc<dyn Source>,
        /// Name for messages and the report (the file name).
        name: String,
    },
    /// An OCI layout directory, opened by the caller.
    Layout {
        /// Its files by relative path.
        store: Arc<dyn Store>,
        /// Name for messages and the report.
        name: String,
    },
    /// A non-seekable stream (stdin), read once.
    Stream {
        /// The bytes.
        reader: &'a mut dyn Read,
        /// Name for messages and the report (`-`).
        name: String,
    },
}

/// Where each layer's bytes can be read again (for extraction and for hashing on demand).
enum Blobs {
    Seekable(Arc<dyn Store>),
    /// A stream was read once; contents cannot be read again.
    Gone,
}

/// A finished analysis: the report, the merged tree, and access to the layer data.
pub struct Analysis {
    /// The report.
    pub report: Report,
    /// The merged file tree of every layer.
    pub tree: FileTree,
    blobs: Blobs,
    layer_members: Vec<String>,
    layer_compression: Vec<Compression>,
    /// What the scan learnt from contents it streamed (ELF files, scripts, configuration files).
    gathered: HashMap<ContentId, Packed>,
    /// Per layer: every content was streamed through the probes, so a content without an entry
    /// in `gathered` has nothing to tell.
    probed: Vec<bool>,
    /// The entrypoint and its runtime closure, where the contents could be read.
    pub exec: Option<crate::exec::Exec>,
    /// The image as a Dockerfile, recovered from its history.
    pub reconstructed_dockerfile: String,
}

/// Analyse an image.
pub fn analyze(input: Input<'_>, options: &Options, progress: &Progress<'_>) -> Result<Analysis> {
    match input {
        Input::Archive { source, name } => {
            if source.is_empty() {
                return Err(Error::Empty);
            }
            let mut magic = [0u8; 4];
            let n = crate::source::read_full_at(&*source, 0, &mut magic)
                .map_err(|e| Error::from_io(Location::Member(name.clone()), e))?;
            match Compression::sniff(&magic[..n]) {
                Compression::None => {
                    let store: Arc<dyn Store> = Arc::new(TarStore::index(source, &name)?);
                    analyze_store(store, false, name, options, progress)
                }
                kind => {
                    // `docker save | gzip > app.tar.gz`: one pass through the decoder.
                    let len = source.len();
                    let raw = RangeReader::new(&*source, 0, len);
                    let mut decoded = compression::decoder(kind, raw, u64::MAX)
                        .map_err(|e| Error::from_io(Location::Member(name.clone()), e))?;
                    analyze_stream(&mut decoded, name, options, progress, len)
                }
            }
        }
        Input::Layout { store, name } => analyze_store(store, true, name, options, progress),
        Input::Stream { reader, name } => {
            let (kind, prefixed) = Prefixed::sniff(reader)
                .map_err(|e| Error::from_io(Location::Member(name.clone()), e))?;
            if kind == Compression::None {
                let mut r = prefixed;
                analyze_stream(&mut r, name, options, progress, 0)
            } else {
                let mut decoded = compression::decoder(kind, prefixed, u64::MAX)
                    .map_err(|e| Error::from_io(Location::Member(name.clone()), e))?;
                analyze_stream(&mut decoded, name, options, progress, 0)
            }
        }
    }
}

fn layer_location(i: usize, l: &LayerRef) -> Location {
    Location::Layer {
        index: i,
        digest: l
            .digest
            .clone()
            .or_else(|| l.diff_id.clone())
            .unwrap_or_else(|| l.member.clone()),
    }
}

fn analyze_store(
    store: Arc<dyn Store>,
    is_dir: bool,
    name: String,
    options: &Options,
    progress: &Progress<'_>,
) -> Result<Analysis> {
    let resolved = archive::resolve(&*store, options, is_dir)?;
    // A blob listed twice (identical layers) is scanned once.
    let mut unique: Vec<(usize, Arc<dyn Source>)> = Vec::new();
    let mut slot_of = Vec::with_capacity(resolved.layers.len());
    let mut members: Vec<&str> = Vec::new();
    for (i, l) in resolved.layers.iter().enumerate() {
        if let Some(pos) = members.iter().position(|m| *m == l.member) {
            slot_of.push(pos);
            continue;
        }
        let at = layer_location(i, l);
        let src = store
            .open(&l.member)
            .map_err(|e| Error::from_io(at.clone(), e))?
            .ok_or_else(|| Error::MissingBlob {
                at: Location::Member("manifest".into()),
                what: l.member.clone(),
            })?;
        slot_of.push(unique.len());
        members.push(&l.member);
        unique.push((i, src));
    }
    let total: u64 = unique.iter().map(|(_, s)| s.len()).sum();
    progress.set_totals(total, unique.len() as u64);
    let seen = SeenKeys::default();
    let plan = ScanPlan {
        hash_contents: false,
        verify: options.verify,
        limits: &options.limits,
        seen: &seen,
        pipeline_from: scan::pipeline_from(unique.iter().map(|(_, s)| s.len()), parallel::cores()),
    };
    let scans = parallel::map_weighted(
        &unique,
        |(_, s)| s.len(),
        |(i, src)| {
            let at = layer_location(*i, &resolved.layers[*i]);
            let r = scan::scan(
                LayerInput::Range {
                    src: &**src,
                    offset: 0,
                    len: src.len(),
                },
                plan,
                &at,
                progress,
            );
            progress.layer_done();
            r
        },
    );
    let scans: Vec<Arc<LayerScan>> = scans
        .into_iter()
        .map(|r| r.map(Arc::new))
        .collect::<Result<_>>()?;
    let per_layer: Vec<Arc<LayerScan>> = slot_of.iter().map(|&s| scans[s].clone()).collect();
    // `finish` frees the scans once merged: no other reference may outlive that.
    drop(scans);
    // A key per distinct content: not needed once the scans are done, and the analysis peaks
    // after them.
    drop(seen);
    let blob_sizes: Vec<u64> = slot_of.iter().map(|&s| unique[s].1.len()).collect();
    finish(
        resolved,
        per_layer,
        blob_sizes,
        Blobs::Seekable(store),
        name,
        options,
    )
}

fn analyze_stream(
    reader: &mut dyn Read,
    name: String,
    options: &Options,
    progress: &Progress<'_>,
    total: u64,
) -> Result<Analysis> {
    progress.set_totals(total, 0);
    let seen = SeenKeys::default();
    // Layers arrive one after the other, each scanned alone.
    let plan = ScanPlan {
        hash_contents: true,
        verify: options.verify,
        limits: &options.limits,
        seen: &seen,
        pipeline_from: scan::pipeline_from(std::iter::empty(), parallel::cores()),
    };
    let mut ticking = Ticking {
        inner: Sequential(reader),
        progress,
    };
    let streamed: Streamed = stream::read_stream(&mut ticking, &name, plan, progress)?;
    let resolved = archive::resolve(&streamed, options, false)?;
    let mut per_layer = Vec::with_capacity(resolved.layers.len());
    for (i, l) in resolved.layers.iter().enumerate() {
        per_layer.push(streamed.take_scan(&l.member, &layer_location(i, l))?);
    }
    drop(streamed);
    drop(seen);
    let blob_sizes = per_layer
        .iter()
        .zip(&resolved.layers)
        .map(|(s, l)| l.declared_size.unwrap_or(s.stream_len))
        .collect();
    finish(resolved, per_layer, blob_sizes, Blobs::Gone, name, options)
}

/// Check computed digests against the manifest and config. With `--verify` a mismatch is an
/// error; otherwise (a digest computed anyway) it is a warning.
fn verify_layers(
    resolved: &Resolved,
    scans: &[Arc<LayerScan>],
    options: &Options,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<bool>> {
    let mut verified = Vec::with_capacity(scans.len());
    for (i, (l, s)) in resolved.layers.iter().zip(scans).enumerate() {
        let at = layer_location(i, l);
        let mut checked = false;
        let mut ok = true;
        for (expected, found) in [(&l.diff_id, &s.diff_id), (&l.digest, &s.blob_digest)] {
            let (Some(expected), Some(found)) = (expected, found) else {
                continue;
            };
            checked = true;
            if expected != found {
                ok = false;
                if options.verify {
                    return Err(Error::DigestMismatch {
                        at,
                        expected: expected.clone(),
                        found: found.clone(),
                    });
                }
                warnings.push(Warning::new(
                    WarningKind::DigestMismatch,
                    format!("{at}: digest mismatch: expected {expected}, found {found}"),
                ));
            }
        }
        verified.push(checked && ok);
    }
    Ok(verified)
}

/// Pair history entries with layers: entries marked `empty_layer` make no layer.
fn history_per_layer(
    resolved: &Resolved,
    warnings: &mut Vec<Warning>,
) -> Vec<(Option<archive::json::History>, Vec<String>)> {
    let n = resolved.layers.len();
    let mut out: Vec<(Option<archive::json::History>, Vec<String>)> = vec![(None, Vec::new()); n];
    let history = resolved.config.history.clone().unwrap_or_default();
    let mut pending_empty = Vec::new();
    let mut layer = 0usize;
    let mut extra = 0usize;
    for h in history {
        if h.empty_layer {
            pending_empty.push(h.created_by.clone().unwrap_or_default());
            continue;
        }
        if layer < n {
            out[layer] = (Some(h), std::mem::take(&mut pending_empty));
        } else {
            extra += 1;
        }
        layer += 1;
    }
    if layer != n && !(layer == 0 && n > 0 && resolved.config.history.is_none()) {
        warnings.push(Warning::new(
            WarningKind::HistoryMismatch,
            format!(
                "the config's history has {} non-empty entries for {n} layers{}; commands may not match their layers",
                layer.min(n) + extra,
                if extra > 0 { " (extra entries ignored)" } else { "" }
            ),
        ));
    }
    out
}

fn finish(
    resolved: Resolved,
    mut scans: Vec<Arc<LayerScan>>,
    blob_sizes: Vec<u64>,
    blobs: Blobs,
    source: String,
    options: &Options,
) -> Result<Analysis> {
    let mut warnings = resolved.warnings.clone();
    for s in &scans {
        warnings.extend(s.warnings.iter().cloned());
    }
    let verified = verify_layers(&resolved, &scans, options, &mut warnings)?;
    let found = take_gathered(&mut scans);
    let totals: Vec<LayerTotals> = scans.iter().map(|s| s.totals()).collect();
    // One after the other, not in parallel: the dive trees are freed before the merged tree is
    // built, which keeps peak memory to the larger of the two rather than their sum.
    let refs: Vec<&LayerScan> = scans.iter().map(|s| &**s).collect();
    let dive = dive::figures(&refs);
    drop(refs);
    // The merge frees each scan's entries once they are in the tree.
    let (mut tree, merge_warnings) = merge::merge(&mut scans);
    drop(scans);
    warnings.extend(merge_warnings);
    if dive.is_none() {
        warnings.push(Warning::new(
            WarningKind::PaxGlobalHeader,
            "dive 0.13.1 refuses layers with PAX global headers, so the dive-compatible figures are null",
        ));
    }
    let gathered = gathered_by_content(&tree, found);
    tree.settle_hashes();
    let live = waste::live_contents(&tree);
    let need = duplicates::need_hash(&tree, &live);
    if !need.is_empty() {
        hash_contents(&mut tree, &need, &blobs, &resolved, options)?;
        tree.settle_hashes();
    }
    let dups = duplicates::groups(&tree, &live);
    let wasted = waste::reclaimable(&tree, &live);
    let changes = waste::layer_changes(&tree);
    let history = history_per_layer(&resolved, &mut warnings);

    let layer_reports: Vec<LayerReport> = resolved
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let s = &totals[i];
            let compression = s.compression;
            let (h, empties) = &history[i];
            LayerReport {
                index: i,
                diff_id: l.diff_id.clone(),
                digest: l.digest.clone(),
                media_type: l.media_type.clone(),
                compression,
                compressed_bytes: (compression != Compression::None).then_some(blob_sizes[i]),
                uncompressed_bytes: s.stream_len,
                size_bytes: s.size_bytes,
                files: s.files,
                command: h.as_ref().and_then(|h| h.created_by.clone()),
                created: h.as_ref().and_then(|h| h.created.clone()),
                comment: h.as_ref().and_then(|h| h.comment.clone()),
                empty_history_before: empties.clone(),
                added: changes[i][0],
                modified: changes[i][1],
                removed: changes[i][2],
                verified: verified[i],
            }
        })
        .collect();

    let final_ids: Vec<_> = tree.node_ids().filter(|&n| n != FileTree::ROOT).collect();
    let final_files = final_ids
        .iter()
        .filter(|&&n| tree.live_final(n).is_some_and(|v| !v.is_dir()))
        .count() as u64;
    let final_bytes: u64 = tree
        .contents()
        .filter(|(c, _)| live[c.0 as usize])
        .map(|(_, c)| c.size)
        .sum();
    let cfg = &resolved.config;
    let limit = options.list_limit;
    let summary = Summary {
        size_bytes: layer_reports.iter().map(|l| l.size_bytes).sum(),
        final_bytes,
        final_files,
        stored_bytes: blob_sizes.iter().sum(),
        uncompressed_bytes: layer_reports.iter().map(|l| l.uncompressed_bytes).sum(),
        layer_count: layer_reports.len(),
        efficiency_score: dive.as_ref().map(|d| d.efficiency_score),
        inefficient_bytes: dive.as_ref().map(|d| d.inefficient_bytes),
        user_wasted_ratio: dive.as_ref().map(|d| d.user_wasted_ratio),
        reclaimable_bytes: wasted.bytes,
        reclaimable_files: wasted.files.len() as u64,
        duplicate_bytes: dups.iter().map(|g| g.saved_bytes).sum(),
        duplicate_groups: dups.len() as u64,
        verified_layers: verified.iter().filter(|v| **v).count(),
    };
    let report = Report {
        schema_version: crate::report::SCHEMA_VERSION,
        tool: Tool::default(),
        image: ImageInfo {
            source,
            format: resolved.format,
            repo_tags: resolved.repo_tags.clone(),
            platform: Platform {
                os: cfg.os.clone(),
                architecture: cfg.architecture.clone(),
                variant: cfg.variant.clone(),
            },
            config_digest: resolved.config_digest.clone(),
            manifest_digest: resolved.manifest_digest.clone(),
            created: cfg.created.clone(),
            config: cfg.config.clone().unwrap_or_default(),
        },
        summary,
        layers: layer_reports,
        wasted: wasted.files.into_iter().take(limit).collect(),
        dive_inefficiencies: dive
            .map(|d| d.inefficiencies.into_iter().take(limit).collect())
            .unwrap_or_default(),
        // A million identical files are one group: its path list is cut like the other lists.
        duplicates: dups
            .into_iter()
            .take(limit)
            .map(|mut g| {
                g.paths.truncate(limit);
                g
            })
            .collect(),
        findings: Vec::new(),
        proposals: Vec::new(),
        paths: crate::report::paths::PathSizes::from_tree(
            &tree,
            crate::report::paths::PathLimits::REPORT,
        ),
        warnings,
    };
    let layer_compression = totals.iter().map(|s| s.compression).collect();
    let probed = totals.iter().map(|s| s.probed).collect();
    let mut analysis = Analysis {
        report,
        tree,
        blobs,
        layer_members: resolved.layers.iter().map(|l| l.member.clone()).collect(),
        layer_compression,
        gathered,
        probed,
        exec: None,
        reconstructed_dockerfile: String::new(),
    };
    // Rules and proposals: the entrypoint's closure is read from the layers, so this runs last.
    crate::propose::attach(&mut analysis);
    Ok(analysis)
}

/// The probes' findings of every layer, by (layer, data offset), sorted: moved out of the
/// scans, so they are not held twice while the scans are still alive (copied only for a layer
/// that is listed twice).
fn take_gathered(scans: &mut [Arc<LayerScan>]) -> Vec<((u16, u64), Packed)> {
    let mut found = Vec::new();
    for (layer, scan) in scans.iter_mut().enumerate() {
        let gathered = match Arc::get_mut(scan) {
            Some(s) => std::mem::take(&mut s.gathered),
            None => scan.gathered.clone(),
        };
        found.extend(
            gathered
                .into_iter()
                .map(|(offset, g)| ((layer as u16, offset), g)),
        );
    }
    found.sort_unstable_by_key(|(at, _)| *at);
    found
}

/// The probes' findings keyed by the content they describe.
fn gathered_by_content(
    tree: &FileTree,
    mut found: Vec<((u16, u64), Packed)>,
) -> HashMap<ContentId, Packed> {
    if found.is_empty() {
        return HashMap::new();
    }
    let mut by_content = HashMap::with_capacity(found.len());
    for (id, c) in tree.contents() {
        if let Ok(i) = found.binary_search_by_key(&(c.layer, c.data_offset), |(at, _)| *at) {
            by_content.insert(id, std::mem::take(&mut found[i].1));
        }
    }
    by_content
}

/// Bytes read first from each duplicate candidate: files no larger are fingerprinted whole in one
/// read, larger ones are read whole only when another candidate of the same size shares this
/// prefix.
const PREFIX: u64 = 16 * 1024;

/// Candidates handled per parallel round: results are small, but a million of them are not.
const ROUND: usize = 16 * 1024;

/// Bytes read at a time when hashing a content by offset: `io::copy`'s 8 KiB made a megabyte
/// file cost 128 system calls.
const HASH_READ: usize = 64 * 1024;

/// Hash the contents that duplicate detection needs, reading them by offset from uncompressed
/// layers (compressed layers were hashed while streaming). First an xxh3 fingerprint of a
/// prefix of every candidate (the whole content when small), then a fingerprint of the whole
/// content of the candidates whose size and prefix still collide, or whose size a content of a
/// streamed layer shares (its prefix is unknown, so only whole digests compare with it). Last,
/// sha256 of one content per set of equal fingerprints that has no sha256 yet:
/// `FileTree::settle_hashes` gives it to the others. Most candidates need one cheap read, and
/// a duplicated content is run through sha256 once, not once per copy.
fn hash_contents(
    tree: &mut FileTree,
    need: &[ContentId],
    blobs: &Blobs,
    resolved: &Resolved,
    options: &Options,
) -> Result<()> {
    let Blobs::Seekable(store) = blobs else {
        return Ok(());
    };
    let sources: Vec<Option<Arc<dyn Source>>> = resolved
        .layers
        .iter()
        .map(|l| store.open(&l.member).ok().flatten())
        .collect();
    let source = |l: usize| -> Result<&dyn Source> {
        match &sources[l] {
            Some(src) => Ok(&**src),
            None => Err(Error::MissingBlob {
                at: layer_location(l, &resolved.layers[l]),
                what: resolved.layers[l].member.clone(),
            }),
        }
    };
    let fail = |l: usize, e: HashError, len: u64| -> Error {
        let at = layer_location(l, &resolved.layers[l]);
        match e {
            HashError::Io(e) => scan::map_io(&at, e, &options.limits),
            HashError::Short(copied) => Error::Truncated {
                at,
                reason: format!("file data ends after {copied} of {len} bytes"),
            },
        }
    };
    // Digests, not hashers, come back: a hasher's state is hundreds of bytes, kept for every
    // candidate of a round.
    let read = |t: &FileTree, c: ContentId, sha: bool| -> Result<Digests> {
        let content = t.content(c);
        let l = usize::from(content.layer);
        hash_range(source(l)?, content.data_offset, content.size, sha)
            .map_err(|e| fail(l, e, content.size))
    };
    // The prefixes of a run of candidates that lie close together in one layer, in one read.
    let read_prefixes = |t: &FileTree, run: &[ContentId]| -> Result<Vec<[u8; 16]>> {
        let l = usize::from(t.content(run[0]).layer);
        let start = t.content(run[0]).data_offset;
        let pieces: Vec<(usize, usize)> = run
            .iter()
            .map(|&c| {
                let content = t.content(c);
                let at = (content.data_offset - start) as usize;
                (at, content.size.min(PREFIX) as usize)
            })
            .collect();
        let span = pieces.iter().map(|(at, len)| at + len).max().unwrap_or(0);
        let src = source(l)?;
        HASH_BUF.with_borrow_mut(|buf| {
            buf.resize(span.max(HASH_READ), 0);
            let got = read_full_at(src, start, &mut buf[..span])
                .map_err(|e| fail(l, HashError::Io(e), span as u64))?;
            pieces
                .iter()
                .map(|&(at, len)| match buf[..got].get(at..at + len) {
                    Some(piece) => Ok(twox_hash::XxHash3_128::oneshot(piece).to_le_bytes()),
                    None => Err(fail(
                        l,
                        HashError::Short(got.saturating_sub(at) as u64),
                        len as u64,
                    )),
                })
                .collect()
        })
    };
    let t: &FileTree = tree;
    let size = |c: &ContentId| t.content(*c).size;
    let streamed_sizes: hashbrown::HashSet<u64> = t
        .contents()
        .filter(|(_, c)| c.fingerprint.is_some())
        .map(|(_, c)| c.size)
        .collect();
    let mut whole: Vec<ContentId> = Vec::new();
    let mut prefixed: Vec<(u64, [u8; 16], ContentId)> = Vec::new();
    for round in need.chunks(ROUND) {
        let (direct, rest): (Vec<ContentId>, Vec<ContentId>) = round
            .iter()
            .partition(|c| streamed_sizes.contains(&size(c)));
        whole.extend(direct);
        let mut rest = rest;
        let place = |c: &ContentId| (t.content(*c).layer, t.content(*c).data_offset);
        rest.sort_unstable_by_key(place);
        let runs = prefix_runs(&rest, |c| (place(c), size(c).min(PREFIX)));
        let prefixes = parallel::map_weighted(
            &runs,
            |r| r.len() as u64,
            |r| read_prefixes(t, &rest[r.clone()]),
        );
        for (r, p) in runs.iter().zip(prefixes) {
            for (&c, f) in rest[r.clone()].iter().zip(p?) {
                prefixed.push((size(&c), f, c));
            }
        }
    }
    prefixed.sort_unstable();
    for run in prefixed.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        if run.len() > 1 {
            whole.extend(run.iter().map(|r| r.2));
        }
    }
    drop(prefixed);
    whole.sort_unstable();
    let mut fingerprints = Vec::with_capacity(whole.len());
    for round in whole.chunks(ROUND) {
        let full = parallel::map_weighted(round, size, |&c| read(t, c, false));
        for (&c, h) in round.iter().zip(full) {
            fingerprints.push((c, h?.1));
        }
    }
    for &(c, f) in &fingerprints {
        tree.contents[c.0 as usize].fingerprint = Some(f);
    }
    let t: &FileTree = tree;
    let size = |c: &ContentId| t.content(*c).size;
    // Sets of equal contents, streamed ones included, and whether one already has a sha256.
    let mut sets: HashMap<(u64, [u8; 16]), (u32, bool)> = HashMap::new();
    for (_, c) in t.contents() {
        if let Some(f) = c.fingerprint {
            let set = sets.entry((c.size, f)).or_default();
            set.0 += 1;
            set.1 |= c.has_sha256();
        }
    }
    let mut first: Vec<ContentId> = Vec::new();
    for &(c, f) in &fingerprints {
        if let Some(set) = sets.get_mut(&(size(&c), f)) {
            if set.0 > 1 && !set.1 {
                set.1 = true;
                first.push(c);
            }
        }
    }
    let mut digests = Vec::with_capacity(first.len());
    for round in first.chunks(ROUND) {
        let full = parallel::map_weighted(round, size, |&c| read(t, c, true));
        for (&c, h) in round.iter().zip(full) {
            digests.push((c, h?.0));
        }
    }
    for (c, h) in digests {
        tree.set_sha256(c, h);
    }
    Ok(())
}

/// Candidates whose prefixes are at most this far apart in a layer share one read.
const RUN_GAP: u64 = 4 * 1024;

/// Most bytes one shared read spans.
const RUN_SPAN: u64 = 128 * 1024;

/// Split candidates sorted by place (layer, offset), each with its prefix length, into runs read
/// together: thousands of small files in a row cost one system call per 128 KiB instead of one
/// each, at the price of reading the few KiB between them.
fn prefix_runs<T>(
    sorted: &[T],
    place: impl Fn(&T) -> ((u16, u64), u64),
) -> Vec<std::ops::Range<usize>> {
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut current: Option<(u16, u64, u64)> = None;
    for (i, item) in sorted.iter().enumerate() {
        let ((layer, offset), len) = place(item);
        let end = offset + len;
        match (&mut current, runs.last_mut()) {
            (Some((l, start, reach)), Some(run))
                if *l == layer && offset <= *reach + RUN_GAP && end - *start <= RUN_SPAN =>
            {
                *reach = (*reach).max(end);
                run.end = i + 1;
            }
            _ => {
                current = Some((layer, offset, end));
                runs.push(i..i + 1);
            }
        }
    }
    runs
}

/// A content's sha256 when asked for, and its fingerprint.
type Digests = (Option<[u8; 32]>, [u8; 16]);

/// Why a content could not be hashed.
enum HashError {
    Io(io::Error),
    /// The source ended after this many of the content's bytes.
    Short(u64),
}

thread_local! {
    /// Each hashing thread's read buffer, kept from one content to the next.
    static HASH_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The fingerprint, and the sha256 when `sha`, of `len` bytes of `src` from `offset`. A content
/// that fits one read is fingerprinted in one call: most candidates are small files, for which
/// setting up a streaming hasher cost more than hashing.
fn hash_range(
    src: &dyn Source,
    offset: u64,
    len: u64,
    sha: bool,
) -> std::result::Result<Digests, HashError> {
    HASH_BUF.with_borrow_mut(|buf| {
        buf.resize(HASH_READ, 0);
        let mut sha256 = sha.then(Sha256::new);
        let mut streaming: Option<twox_hash::XxHash3_128> = None;
        let mut done = 0u64;
        while done < len {
            let want = (len - done).min(HASH_READ as u64) as usize;
            let chunk = &mut buf[..want];
            let got = read_full_at(src, offset + done, chunk).map_err(HashError::Io)?;
            if got < want {
                return Err(HashError::Short(done + got as u64));
            }
            if let Some(s) = &mut sha256 {
                s.update(&*chunk);
            }
            if want as u64 == len {
                let fingerprint = twox_hash::XxHash3_128::oneshot(chunk);
                return Ok((
                    sha256.map(|s| s.finalize().into()),
                    fingerprint.to_le_bytes(),
                ));
            }
            streaming
                .get_or_insert_with(twox_hash::XxHash3_128::new)
                .write(chunk);
            done += want as u64;
        }
        let fingerprint = match streaming {
            Some(h) => h.finish_128(),
            None => twox_hash::XxHash3_128::oneshot(&[]),
        };
        Ok((
            sha256.map(|s| s.finalize().into()),
            fingerprint.to_le_bytes(),
        ))
    })
}

impl Analysis {
    /// Whether file contents can be read back (false after reading a stream).
    pub fn can_extract(&self) -> bool {
        matches!(self.blobs, Blobs::Seekable(_))
    }

    /// Copy a stored content to `out`, returning the bytes written. Compressed layers are
    /// decompressed from their start up to the content.
    pub fn extract(&self, content: ContentId, out: &mut dyn Write) -> Result<u64> {
        let size = self.tree.content(content).size;
        self.copy_range(content, 0, size, out)
    }

    /// Copy `len` bytes of a stored content from `offset` within it to `out`.
    pub(crate) fn copy_range(
        &self,
        content: ContentId,
        offset: u64,
        len: u64,
        out: &mut dyn Write,
    ) -> Result<u64> {
        let c = self.tree.content(content);
        let (start, len) = (
            c.data_offset.saturating_add(offset.min(c.size)),
            len.min(c.size.saturating_sub(offset)),
        );
        let l = usize::from(c.layer);
        let at = Location::Layer {
            index: l,
            digest: self
                .report
                .layers
                .get(l)
                .and_then(|r| r.digest.clone().or_else(|| r.diff_id.clone()))
                .unwrap_or_default(),
        };
        let Blobs::Seekable(store) = &self.blobs else {
            return Err(Error::Io {
                at,
                source: io::Error::other("the input was a stream; save it to a file to extract"),
            });
        };
        let src = store
            .open(&self.layer_members[l])
            .map_err(|e| Error::from_io(at.clone(), e))?
            .ok_or_else(|| Error::MissingBlob {
                at: at.clone(),
                what: self.layer_members[l].clone(),
            })?;
        let limits = crate::options::Limits::default();
        let map = |e| scan::map_io(&at, e, &limits);
        let copied = match self.layer_compression[l] {
            Compression::None => {
                let mut r = RangeReader::new(&*src, start, len);
                io::copy(&mut r, out).map_err(map)?
            }
            kind => {
                let raw = RangeReader::new(&*src, 0, src.len());
                let mut d = compression::decoder(kind, raw, u64::MAX).map_err(map)?;
                d.skip(start).map_err(map)?;
                io::copy(&mut d.take(len), out).map_err(map)?
            }
        };
        if copied != len {
            return Err(Error::Truncated {
                at,
                reason: format!("content ends after {copied} of {len} bytes"),
            });
        }
        Ok(copied)
    }

    /// Whether every layer's contents were probed during the scan (always so for a stream).
    pub(crate) fn probed_all(&self) -> bool {
        self.probed.iter().all(|p| *p)
    }

    /// What the layer scan learnt from a content, and whether its layer was probed at all
    /// (then a content without findings has nothing to tell).
    pub(crate) fn gathered(&self, content: ContentId) -> (Option<Gathered>, bool) {
        let layer = usize::from(self.tree.content(content).layer);
        (
            self.gathered.get(&content).map(Packed::unpack),
            self.probed.get(layer).copied().unwrap_or(false),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A content read in one piece is fingerprinted one-shot and a larger one streamed; the
    /// scan streams everything. Duplicates are found by comparing them, so both must agree.
    #[test]
    fn one_read_and_streamed_fingerprints_agree() {
        let data: Vec<u8> = (0..3 * HASH_READ as u32 + 17)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let src: &dyn Source = &data;
        for len in [
            0,
            1,
            16,
            128,
            240,
            241,
            1024,
            HASH_READ,
            HASH_READ + 1,
            data.len() - 5,
        ] {
            let mut streamed = twox_hash::XxHash3_128::new();
            for piece in data[5..5 + len].chunks(1000) {
                streamed.write(piece);
            }
            let (sha, fingerprint) = hash_range(src, 5, len as u64, true).ok().unwrap();
            assert_eq!(
                fingerprint,
                streamed.finish_128().to_le_bytes(),
                "length {len}"
            );
            let want: [u8; 32] = Sha256::digest(&data[5..5 + len]).into();
            assert_eq!(sha, Some(want), "length {len}");
        }
        assert!(matches!(
            hash_range(src, 10, data.len() as u64, false),
            Err(HashError::Short(n)) if n == data.len() as u64 - 10
        ));
    }

    #[test]
    fn close_prefixes_share_a_read() {
        let g = RUN_GAP;
        // ((layer, offset), prefix length), sorted by place.
        let items = [
            ((0, 0), 100),
            ((0, 100 + g), 100),
            // One byte further than the gap allows.
            ((0, 200 + 2 * g + 1), 100),
            // Another layer.
            ((1, 200 + 2 * g + 1), 100),
            ((1, 300 + 2 * g + 1), RUN_SPAN - 200),
            // Would make the run one byte longer than RUN_SPAN.
            ((1, RUN_SPAN + 2 * g + 101), 101),
        ];
        assert_eq!(prefix_runs(&items, |i| *i), vec![0..2, 2..3, 3..5, 5..6]);
    }
}
