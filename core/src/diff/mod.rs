//! The difference between two images: total and per-layer size change, the paths that were
//! added, removed or resized, and the findings that appeared or went away.
//!
//! Either side may be a fresh analysis (with its file tree) or a saved report. With both trees
//! the path diff is exact (every file); with a saved report it uses the report's
//! [`PathSizes`](crate::report::paths::PathSizes) summary (files of 4 KiB or more and directory
//! totals), and [`ImageDiff::exact_paths`] says so.

pub mod render;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::report::findings::Finding;
use crate::report::paths::{PathLimits, PathSize, PathSizes};
use crate::report::{LayerReport, Report, SCHEMA_VERSION};
use crate::tree::FileTree;

/// The `kind` of a diff document, so tools can tell it from a report.
pub const DIFF_KIND: &str = "imgslim-diff";

/// One side of a diff.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The report (from an analysis or a saved JSON file).
    pub report: &'a Report,
    /// The merged tree, when the image itself was read: makes the path diff exact.
    pub tree: Option<&'a FileTree>,
}

/// How much the diff lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffOptions {
    /// At most this many files and this many directories are listed (biggest change first);
    /// the totals count all of them.
    pub list_limit: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { list_limit: 200 }
    }
}

/// The difference between an old and a new image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageDiff {
    /// Schema version (the report's, [`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Always [`DIFF_KIND`].
    pub kind: String,
    /// The old image.
    pub old: ImageRef,
    /// The new image.
    pub new: ImageRef,
    /// Image-level figures, old → new.
    pub summary: SummaryDiff,
    /// Layers of the new image in order, each with its match in the old one, then the old
    /// layers nothing matched.
    pub layers: Vec<LayerDiff>,
    /// True when both sides had file trees, so every file was compared; false when a side was
    /// a saved report and only its listed paths (files ≥ 4 KiB, directory totals) were.
    pub exact_paths: bool,
    /// False when a side is a saved report without a path summary (written before reports
    /// carried one): then `files` and `dirs` are empty.
    pub paths_compared: bool,
    /// Totals over every compared file, listed or not.
    pub file_totals: FileTotals,
    /// Files added, removed or resized, biggest change first (at most `list_limit`).
    pub files: Vec<PathChange>,
    /// Directories whose total changed, biggest change first (at most `list_limit`).
    pub dirs: Vec<DirChange>,
    /// Findings only the new image has, and findings only the old one had.
    pub findings: FindingsDiff,
}

/// Which image a side is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    /// The input as named on the command line.
    pub source: String,
    /// Its first tag, or the source.
    pub name: String,
}

/// A figure on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    /// Old value.
    pub old: u64,
    /// New value.
    pub new: u64,
    /// `new - old`.
    pub change: i64,
}

impl Delta {
    /// The pair and its difference.
    pub fn of(old: u64, new: u64) -> Delta {
        Delta {
            old,
            new,
            change: signed(new, old),
        }
    }

    /// Change as a ratio of the old value (`+∞` from 0 to more, 0 from 0 to 0).
    pub fn ratio(&self) -> f64 {
        ratio(self.old, self.new)
    }
}

/// `new - old` as a ratio of `old`; infinite when `old` is 0 and `new` is not.
pub fn ratio(old: u64, new: u64) -> f64 {
    if old == 0 {
        if new == 0 { 0.0 } else { f64::INFINITY }
    } else {
        (new as f64 - old as f64) / old as f64
    }
}

fn signed(new: u64, old: u64) -> i64 {
    let d = i128::from(new) - i128::from(old);
    d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Image-level figures on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryDiff {
    /// dive's total size (sum of the layers' tar header sizes).
    pub size_bytes: Delta,
    /// Bytes visible in the final image.
    pub final_bytes: Delta,
    /// Files in the final image.
    pub final_files: Delta,
    /// Number of layers.
    pub layer_count: Delta,
    /// Reclaimable bytes.
    pub reclaimable_bytes: Delta,
    /// Duplicate bytes.
    pub duplicate_bytes: Delta,
    /// dive-compatible wasted bytes; null when either side has none.
    pub inefficient_bytes: Option<Delta>,
}

/// How an old layer was matched to a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    /// The same uncompressed content (diff_id).
    DiffId,
    /// The same history command (content hashes in `COPY file:…` ignored).
    Command,
}

/// What happened to a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayerStatus {
    /// Same diff_id on both sides.
    Unchanged,
    /// Matched by command, with other content.
    Changed,
    /// Only in the new image.
    Added,
    /// Only in the old image.
    Removed,
}

/// One layer, old → new.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerDiff {
    /// Index in the old image.
    pub old: Option<usize>,
    /// Index in the new image.
    pub new: Option<usize>,
    /// What happened to it.
    pub status: LayerStatus,
    /// How the two were matched.
    pub matched_by: Option<MatchedBy>,
    /// The history command (the new side's where there is one).
    pub command: Option<String>,
    /// dive's layer size on both sides (0 for the missing side).
    pub size_bytes: Delta,
}

/// What happened to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathStatus {
    /// Only in the new image.
    Added,
    /// Only in the old image.
    Removed,
    /// On both sides with another size.
    Changed,
}

/// One file, old → new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathChange {
    /// Absolute path.
    pub path: String,
    /// What happened.
    pub status: PathStatus,
    /// Size on both sides (0 where absent).
    pub size_bytes: Delta,
    /// The layer that wrote it: in the new image, or in the old one for a removed file.
    pub layer: Option<usize>,
}

/// One directory's total, old → new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirChange {
    /// Absolute path.
    pub path: String,
    /// Total on both sides (0 where absent).
    pub size_bytes: Delta,
}

/// A count of files and their bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Files.
    pub files: u64,
    /// Bytes: the new size of added files, the old size of removed ones, and the net change
    /// of resized ones.
    pub bytes: i64,
}

/// Totals over every compared file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileTotals {
    /// Files only in the new image.
    pub added: Count,
    /// Files only in the old image.
    pub removed: Count,
    /// Files on both sides with another size.
    pub changed: Count,
}

/// Findings that appeared or went away, matched by rule code and paths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsDiff {
    /// In the new image only.
    pub new: Vec<Finding>,
    /// In the old image only.
    pub resolved: Vec<Finding>,
}

/// Compare two images.
pub fn diff(old: Side<'_>, new: Side<'_>, options: DiffOptions) -> ImageDiff {
    let (o, n) = (old.report, new.report);
    let (os, ns) = (&o.summary, &n.summary);
    let summary = SummaryDiff {
        size_bytes: Delta::of(os.size_bytes, ns.size_bytes),
        final_bytes: Delta::of(os.final_bytes, ns.final_bytes),
        final_files: Delta::of(os.final_files, ns.final_files),
        layer_count: Delta::of(os.layer_count as u64, ns.layer_count as u64),
        reclaimable_bytes: Delta::of(os.reclaimable_bytes, ns.reclaimable_bytes),
        duplicate_bytes: Delta::of(os.duplicate_bytes, ns.duplicate_bytes),
        inefficient_bytes: os
            .inefficient_bytes
            .zip(ns.inefficient_bytes)
            .map(|(a, b)| Delta::of(a, b)),
    };
    let (exact_paths, old_paths, new_paths) = match (old.tree, new.tree) {
        (Some(a), Some(b)) => (
            true,
            PathSizes::from_tree(a, PathLimits::EXACT),
            PathSizes::from_tree(b, PathLimits::EXACT),
        ),
        // With one tree, the tree side is summarised like a report so both sides list the same
        // kind of paths (otherwise every small file of the tree side would look added).
        _ => (false, paths_of(old, &o.paths), paths_of(new, &n.paths)),
    };
    let paths_compared = exact_paths || !(old_paths.is_empty() || new_paths.is_empty());
    let (old_paths, new_paths) = if paths_compared {
        (old_paths, new_paths)
    } else {
        (PathSizes::default(), PathSizes::default())
    };
    let (file_totals, mut files) = diff_files(&old_paths, &new_paths);
    files.truncate(options.list_limit);
    let mut dirs = diff_dirs(&old_paths.dirs, &new_paths.dirs);
    dirs.truncate(options.list_limit);
    ImageDiff {
        schema_version: SCHEMA_VERSION,
        kind: DIFF_KIND.into(),
        old: image_ref(o),
        new: image_ref(n),
        summary,
        layers: match_layers(&o.layers, &n.layers),
        exact_paths,
        paths_compared,
        file_totals,
        files,
        dirs,
        findings: diff_findings(&o.findings, &n.findings),
    }
}

fn paths_of(side: Side<'_>, saved: &PathSizes) -> PathSizes {
    match side.tree {
        Some(t) if saved.is_empty() => PathSizes::from_tree(t, PathLimits::REPORT),
        _ => saved.clone(),
    }
}

fn image_ref(r: &Report) -> ImageRef {
    ImageRef {
        source: r.image.source.clone(),
        name: r
            .image
            .repo_tags
            .first()
            .cloned()
            .unwrap_or_else(|| r.image.source.clone()),
    }
}

/// A history command with the parts that change with every build removed: BuildKit's
/// `# buildkit` marker and content hashes (`COPY file:3f5a…`, `dir:…`).
pub fn normalize_command(c: &str) -> String {
    let c = crate::report::units::command(c);
    let words: Vec<String> = c
        .split_whitespace()
        .map(|w| {
            let (prefix, rest) = w.split_once(':').unwrap_or(("", w));
            if rest.len() >= 32 && rest.bytes().all(|b| b.is_ascii_hexdigit()) {
                format!("{prefix}:<hash>")
            } else {
                w.to_string()
            }
        })
        .collect();
    words.join(" ")
}

/// Match layers: first by diff_id (the same content, preferring the same position), then the
/// rest by normalised command, in order.
fn match_layers(old: &[LayerReport], new: &[LayerReport]) -> Vec<LayerDiff> {
    let mut used = vec![false; old.len()];
    let mut matched: Vec<Option<(usize, MatchedBy)>> = vec![None; new.len()];
    for (j, nl) in new.iter().enumerate() {
        let Some(d) = &nl.diff_id else { continue };
        let same = |i: usize| !used[i] && old[i].diff_id.as_ref() == Some(d);
        let pick = if j < old.len() && same(j) {
            Some(j)
        } else {
            (0..old.len()).find(|&i| same(i))
        };
        if let Some(i) = pick {
            used[i] = true;
            matched[j] = Some((i, MatchedBy::DiffId));
        }
    }
    let old_cmds: Vec<Option<String>> = old
        .iter()
        .map(|l| l.command.as_deref().map(normalize_command))
        .collect();
    for (j, nl) in new.iter().enumerate() {
        if matched[j].is_some() {
            continue;
        }
        let Some(c) = nl.command.as_deref().map(normalize_command) else {
            continue;
        };
        if let Some(i) = (0..old.len()).find(|&i| !used[i] && old_cmds[i].as_ref() == Some(&c)) {
            used[i] = true;
            matched[j] = Some((i, MatchedBy::Command));
        }
    }
    let mut out = Vec::with_capacity(new.len() + old.len());
    for (j, nl) in new.iter().enumerate() {
        let (old_index, by) = match matched[j] {
            Some((i, by)) => (Some(i), Some(by)),
            None => (None, None),
        };
        let old_bytes = old_index.map_or(0, |i| old[i].size_bytes);
        let status = match by {
            Some(MatchedBy::DiffId) => LayerStatus::Unchanged,
            Some(MatchedBy::Command) => LayerStatus::Changed,
            None => LayerStatus::Added,
        };
        out.push(LayerDiff {
            old: old_index,
            new: Some(j),
            status,
            matched_by: by,
            command: nl.command.clone(),
            size_bytes: Delta::of(old_bytes, nl.size_bytes),
        });
    }
    for (i, ol) in old.iter().enumerate() {
        if !used[i] {
            out.push(LayerDiff {
                old: Some(i),
                new: None,
                status: LayerStatus::Removed,
                matched_by: None,
                command: ol.command.clone(),
                size_bytes: Delta::of(ol.size_bytes, 0),
            });
        }
    }
    out
}

/// Biggest change first, then by path.
fn by_change<T>(key: impl Fn(&T) -> (i64, &str)) -> impl Fn(&T, &T) -> std::cmp::Ordering {
    move |a, b| {
        let (ca, pa) = key(a);
        let (cb, pb) = key(b);
        cb.unsigned_abs()
            .cmp(&ca.unsigned_abs())
            .then(cb.cmp(&ca))
            .then(pa.cmp(pb))
    }
}

/// Below this size a file missing from a capped listing may simply have been cut: the smallest
/// size the listing still holds (0 when nothing was cut).
fn cut_below(p: &PathSizes) -> u64 {
    if p.truncated {
        p.files.last().map_or(0, |f| f.bytes)
    } else {
        0
    }
}

fn diff_files(old_sizes: &PathSizes, new_sizes: &PathSizes) -> (FileTotals, Vec<PathChange>) {
    let (old, new) = (&old_sizes.files, &new_sizes.files);
    let (old_cut, new_cut) = (cut_below(old_sizes), cut_below(new_sizes));
    let old_map: HashMap<&str, &PathSize> = old.iter().map(|p| (p.path.as_str(), p)).collect();
    let mut totals = FileTotals::default();
    let mut out = Vec::new();
    let mut seen = hashbrown::HashSet::with_capacity(new.len());
    for p in new {
        seen.insert(p.path.as_str());
        let (status, old_bytes) = match old_map.get(p.path.as_str()) {
            // Not listed on the old side, but small enough to have been cut there: unknown.
            None if p.bytes < old_cut => continue,
            None => (PathStatus::Added, 0),
            Some(o) if o.bytes != p.bytes => (PathStatus::Changed, o.bytes),
            Some(_) => continue,
        };
        let d = Delta::of(old_bytes, p.bytes);
        let count = match status {
            PathStatus::Added => &mut totals.added,
            _ => &mut totals.changed,
        };
        count.files += 1;
        count.bytes = count.bytes.saturating_add(d.change);
        out.push(PathChange {
            path: p.path.clone(),
            status,
            size_bytes: d,
            layer: p.layer,
        });
    }
    for p in old {
        if seen.contains(p.path.as_str()) || p.bytes < new_cut {
            continue;
        }
        totals.removed.files += 1;
        totals.removed.bytes = totals.removed.bytes.saturating_add(signed(p.bytes, 0));
        out.push(PathChange {
            path: p.path.clone(),
            status: PathStatus::Removed,
            size_bytes: Delta::of(p.bytes, 0),
            layer: p.layer,
        });
    }
    out.sort_by(by_change(|c: &PathChange| {
        (c.size_bytes.change, c.path.as_str())
    }));
    (totals, out)
}

fn diff_dirs(old: &[PathSize], new: &[PathSize]) -> Vec<DirChange> {
    let mut both: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for p in old {
        both.entry(&p.path).or_default().0 = p.bytes;
    }
    for p in new {
        both.entry(&p.path).or_default().1 = p.bytes;
    }
    let mut out: Vec<DirChange> = both
        .into_iter()
        .filter(|(_, (a, b))| a != b)
        .map(|(path, (a, b))| DirChange {
            path: path.to_string(),
            size_bytes: Delta::of(a, b),
        })
        .collect();
    out.sort_by(by_change(|c: &DirChange| {
        (c.size_bytes.change, c.path.as_str())
    }));
    out
}

fn finding_key(f: &Finding) -> (String, Vec<String>) {
    let mut paths = f.paths.clone();
    paths.sort();
    (f.rule.clone(), paths)
}

fn diff_findings(old: &[Finding], new: &[Finding]) -> FindingsDiff {
    let old_keys: hashbrown::HashSet<_> = old.iter().map(finding_key).collect();
    let new_keys: hashbrown::HashSet<_> = new.iter().map(finding_key).collect();
    FindingsDiff {
        new: new
            .iter()
            .filter(|f| !old_keys.contains(&finding_key(f)))
            .cloned()
            .collect(),
        resolved: old
            .iter()
            .filter(|f| !new_keys.contains(&finding_key(f)))
            .cloned()
            .collect(),
    }
}

impl ImageDiff {
    /// Layers that grew, most growth first (added layers count their whole size).
    pub fn grown_layers(&self) -> Vec<&LayerDiff> {
        let mut v: Vec<&LayerDiff> = self
            .layers
            .iter()
            .filter(|l| l.size_bytes.change > 0)
            .collect();
        v.sort_by_key(|l| std::cmp::Reverse(l.size_bytes.change));
        v
    }

    /// Directories that grew most, skipping a directory when the listed directories right
    /// below it account for at least 80 % of its growth (they say the same, more precisely).
    pub fn grown_dirs(&self, n: usize) -> Vec<&DirChange> {
        let grown: Vec<&DirChange> = self
            .dirs
            .iter()
            .filter(|d| d.size_bytes.change > 0)
            .collect();
        let mut below: HashMap<&str, i64> = HashMap::new();
        for d in &grown {
            if let Some((parent, _)) = d.path.rsplit_once('/') {
                *below.entry(parent).or_default() += d.size_bytes.change;
            }
        }
        grown
            .iter()
            .filter(|d| {
                let explained = below.get(d.path.as_str()).copied().unwrap_or(0);
                (explained as f64) < 0.8 * d.size_bytes.change as f64
            })
            .take(n)
            .copied()
            .collect()
    }

    /// Files that grew most (added or enlarged).
    pub fn grown_files(&self, n: usize) -> Vec<&PathChange> {
        self.files
            .iter()
            .filter(|f| f.size_bytes.change > 0)
            .take(n)
            .collect()
    }
}

#[cfg(test)]
mod tests;
