//! The report: one serde structure with a `schema_version`, documented in `docs/report-schema.md`.
//! Renderers turn it into text or Markdown as pure functions into `fmt::Write`.

pub mod findings;
pub mod markdown;
pub mod paths;
pub mod text;
pub mod units;

use serde::{Deserialize, Serialize};

use crate::analysis::dive::DiveInefficiency;
use crate::analysis::duplicates::DuplicateGroup;
use crate::analysis::waste::{ChangeCounts, WastedFile};
use crate::archive::{Format, Platform, RunConfig};
use crate::layer::compression::Compression;
use crate::warning::Warning;

/// Version of the JSON schema. Bumped on any incompatible change; additions keep it.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `imgslim analyze` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Schema version of this document ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// What was analysed.
    pub image: ImageInfo,
    /// Image-level figures.
    pub summary: Summary,
    /// One entry per layer, in order.
    pub layers: Vec<LayerReport>,
    /// Stored files the final image does not show, largest first (at most `list_limit`).
    pub wasted: Vec<WastedFile>,
    /// dive's inefficient paths, largest first (at most `list_limit`).
    pub dive_inefficiencies: Vec<DiveInefficiency>,
    /// Groups of identical files in the final image, by bytes saved (at most `list_limit`).
    pub duplicates: Vec<DuplicateGroup>,
    /// Rules that fired, most bytes first.
    #[serde(default)]
    pub findings: Vec<findings::Finding>,
    /// Slimming proposals, most bytes saved first.
    #[serde(default)]
    pub proposals: Vec<findings::Proposal>,
    /// Sizes of the final image's larger files and of its directories, so saved reports can be
    /// diffed by path (empty in reports written before it existed).
    #[serde(default, skip_serializing_if = "paths::PathSizes::is_empty")]
    pub paths: paths::PathSizes,
    /// Oddities that did not stop the analysis.
    pub warnings: Vec<Warning>,
}

/// Name and version of the writer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// `imgslim`.
    pub name: String,
    /// Crate version.
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "imgslim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// The analysed image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// The input as the user named it (file name or `-`).
    pub source: String,
    /// Archive flavour.
    pub format: Format,
    /// Names and tags (`RepoTags` or the index's ref name).
    pub repo_tags: Vec<String>,
    /// Platform from the config.
    pub platform: Platform,
    /// Digest of the config blob, where known.
    pub config_digest: Option<String>,
    /// Digest of the manifest, where known.
    pub manifest_digest: Option<String>,
    /// Creation time from the config.
    pub created: Option<String>,
    /// How a container runs (entrypoint, cmd, env, workdir, user, labels).
    pub config: RunConfig,
}

/// Image-level figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// dive's total size: the sum of every layer's tar header sizes.
    pub size_bytes: u64,
    /// Bytes of file data visible in the final image (each hardlinked file once).
    pub final_bytes: u64,
    /// Files (non-directories) in the final image.
    pub final_files: u64,
    /// Bytes of the layer blobs as stored (compressed where they are).
    pub stored_bytes: u64,
    /// Bytes of the uncompressed layer tar streams.
    pub uncompressed_bytes: u64,
    /// Number of layers.
    pub layer_count: usize,
    /// dive-compatible efficiency score (0..1); null where dive would refuse the image.
    pub efficiency_score: Option<f64>,
    /// dive-compatible wasted bytes (counts the surviving copy, ignores `rm -rf` of directories).
    pub inefficient_bytes: Option<u64>,
    /// dive's user-wasted ratio: inefficient bytes over the size of all layers but the first.
    pub user_wasted_ratio: Option<f64>,
    /// Bytes stored in layers but not visible in the final image: what removing the waste saves.
    pub reclaimable_bytes: u64,
    /// Number of stored files not visible in the final image.
    pub reclaimable_files: u64,
    /// Bytes a deduplication of identical final files would save.
    pub duplicate_bytes: u64,
    /// Number of duplicate groups.
    pub duplicate_groups: u64,
    /// Layers whose digests were checked.
    pub verified_layers: usize,
}

/// One layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerReport {
    /// 0-based index.
    pub index: usize,
    /// sha256 of the uncompressed tar, from the config.
    pub diff_id: Option<String>,
    /// Digest of the blob as stored, where the layout names it.
    pub digest: Option<String>,
    /// Media type from the manifest, where given.
    pub media_type: Option<String>,
    /// Compression detected from the blob's magic bytes.
    pub compression: Compression,
    /// Size of the blob when it is compressed; null for uncompressed blobs.
    pub compressed_bytes: Option<u64>,
    /// Size of the uncompressed tar stream.
    pub uncompressed_bytes: u64,
    /// dive's size: the sum of the tar header sizes.
    pub size_bytes: u64,
    /// Non-directory entries (files, links, devices; not whiteouts).
    pub files: u64,
    /// The history command (`created_by`) that made the layer.
    pub command: Option<String>,
    /// When the history entry says the layer was made.
    pub created: Option<String>,
    /// History comment.
    pub comment: Option<String>,
    /// Commands of the `empty_layer` history entries just before this layer (ENV, WORKDIR, …).
    pub empty_history_before: Vec<String>,
    /// Paths this layer created.
    pub added: ChangeCounts,
    /// Paths this layer rewrote.
    pub modified: ChangeCounts,
    /// Paths this layer deleted.
    pub removed: ChangeCounts,
    /// Whether this layer's digests were computed and matched.
    pub verified: bool,
}

impl Report {
    /// Parse a report written by `--format json`, refusing a newer schema.
    pub fn from_json(text: &str) -> Result<Report, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        match v.get("schema_version").and_then(serde_json::Value::as_u64) {
            Some(n) if n == u64::from(SCHEMA_VERSION) => {}
            Some(n) => {
                return Err(format!(
                    "unsupported schema_version {n} (this imgslim reads {SCHEMA_VERSION})"
                ));
            }
            None => return Err("not an imgslim report: no schema_version".into()),
        }
        serde_json::from_value(v).map_err(|e| e.to_string())
    }
}
