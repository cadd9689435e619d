//! Recognising the archive flavour and resolving which image, config and layer blobs to read.
//!
//! - docker save ≤ 24 / podman save: `manifest.json` + `<id>/layer.tar` (podman: symlinks to
//!   `<digest>.tar`), `repositories`.
//! - docker save ≥ 25 and the containerd store: an OCI layout (`index.json`, `blobs/sha256/…`)
//!   plus `manifest.json`; layers may be gzip or zstd.
//! - crane pull: `manifest.json` + `<digest>.tar.gz`.
//! - OCI archive (a tar of an OCI layout) and OCI layout directories: `index.json` only.

pub(crate) mod json;
mod select;
pub(crate) mod store;
pub(crate) mod stream;

use serde::Serialize;

pub use json::{Platform, RunConfig};
pub use store::Store;

use crate::error::{Error, Location, Result};
use crate::options::Options;
use crate::warning::{Warning, WarningKind};
use json::{DockerManifestEntry, ImageConfig, Index, Manifest, blob_path};
use store::read_small;

/// The archive flavour, as recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// docker save ≤ 24, podman save, skopeo docker-archive, crane pull: `manifest.json` only.
    DockerSave,
    /// docker save ≥ 25 or the containerd image store: an OCI layout plus `manifest.json`.
    DockerSaveOci,
    /// A tar of an OCI image layout.
    OciArchive,
    /// An OCI image layout directory.
    OciLayout,
}

/// One layer to read, as the manifest names it.
#[derive(Debug, Clone)]
pub(crate) struct LayerRef {
    /// Member path of the blob.
    pub member: String,
    /// diff_id from the config (sha256 of the uncompressed tar).
    pub diff_id: Option<String>,
    /// Digest of the blob as stored, where the layout names it.
    pub digest: Option<String>,
    pub media_type: Option<String>,
    /// Size the manifest declares for the blob.
    pub declared_size: Option<u64>,
}

/// The image chosen from an archive, with its documents parsed.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub format: Format,
    pub repo_tags: Vec<String>,
    pub config: ImageConfig,
    pub config_digest: Option<String>,
    pub manifest_digest: Option<String>,
    pub layers: Vec<LayerRef>,
    pub warnings: Vec<Warning>,
}

/// Where a member path names its digest: `blobs/sha256/<hex>` (OCI), `<hex>.tar.gz` (crane) or
/// `<hex>.tar` (podman). Legacy `<id>/layer.tar` names none.
fn digest_from_path(path: &str) -> Option<String> {
    if let Some(rest) = path.strip_prefix("blobs/")
        && let Some((alg, hex)) = rest.split_once('/')
        && !hex.contains('/')
    {
        return Some(format!("{alg}:{hex}"));
    }
    let stem = path
        .strip_suffix(".tar.gz")
        .or_else(|| path.strip_suffix(".tar"))?;
    (stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha256:{stem}"))
}

fn require(store: &dyn Store, path: &str, referrer: &str) -> Result<Vec<u8>> {
    read_small(store, path)?.ok_or_else(|| Error::MissingBlob {
        at: Location::Member(referrer.to_string()),
        what: path.to_string(),
    })
}

/// Pick the image to analyse from the members of `store`.
pub(crate) fn resolve(store: &dyn Store, opts: &Options, is_dir: bool) -> Result<Resolved> {
    if let Some(bytes) = read_small(store, "manifest.json")? {
        let entries: Vec<DockerManifestEntry> = json::parse(&bytes, "manifest.json")?;
        let oci_inside = store.contains("index.json");
        return resolve_docker(store, entries, opts, oci_inside);
    }
    if let Some(bytes) = read_small(store, "index.json")? {
        let index: Index = json::parse(&bytes, "index.json")?;
        let format = if is_dir {
            Format::OciLayout
        } else {
            Format::OciArchive
        };
        return resolve_oci(store, index, opts, format);
    }
    Err(Error::NoManifest)
}

fn resolve_docker(
    store: &dyn Store,
    entries: Vec<DockerManifestEntry>,
    opts: &Options,
    oci_inside: bool,
) -> Result<Resolved> {
    let names: Vec<String> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| select::docker_entry_name(i, e))
        .collect();
    let chosen = select::pick_docker(&entries, &names, opts.image.as_deref())?;
    let entry = &entries[chosen];
    let config_bytes = require(store, &entry.config, "manifest.json")?;
    let config: ImageConfig = json::parse(&config_bytes, &entry.config)?;
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    if !diff_ids.is_empty() && diff_ids.len() != entry.layers.len() {
        return Err(Error::LayerCountMismatch {
            at: Location::Member(entry.config.clone()),
            manifest: entry.layers.len(),
            config: diff_ids.len(),
        });
    }
    let mut layers = Vec::with_capacity(entry.layers.len());
    for (i, member) in entry.layers.iter().enumerate() {
        if !store.contains(member) {
            return Err(Error::MissingBlob {
                at: Location::Member("manifest.json".into()),
                what: member.clone(),
            });
        }
        let diff_id = diff_ids.get(i).cloned();
        let source = diff_id
            .as_ref()
            .and_then(|d| entry.layer_sources.as_ref()?.get(d));
        layers.push(LayerRef {
            member: store::member_key(member.as_bytes()),
            diff_id,
            digest: digest_from_path(member).or_else(|| source.map(|s| s.digest.clone())),
            media_type: source.map(|s| s.media_type.clone()),
            declared_size: source.and_then(|s| u64::try_from(s.size).ok()),
        });
    }
    Ok(Resolved {
        format: if oci_inside {
            Format::DockerSaveOci
        } else {
            Format::DockerSave
        },
        repo_tags: entry.repo_tags.clone().unwrap_or_default(),
        config_digest: digest_from_path(&entry.config),
        manifest_digest: None,
        config,
        layers,
        warnings: Vec::new(),
    })
}

/// Nested indexes deeper than this are refused (a cycle of indexes would otherwise not end).
const MAX_INDEX_DEPTH: usize = 4;

fn resolve_oci(
    store: &dyn Store,
    index: Index,
    opts: &Options,
    format: Format,
) -> Result<Resolved> {
    let mut index = index;
    let mut referrer = "index.json".to_string();
    let mut inherited_name: Option<String> = None;
    for _ in 0..MAX_INDEX_DEPTH {
        let candidates =
            select::oci_candidates(store, &index.manifests, inherited_name.as_deref())?;
        let pick = select::pick_oci(&candidates, opts)?;
        let desc = &candidates[pick].descriptor;
        let path = blob_path(&desc.digest).ok_or_else(|| Error::BadJson {
            at: Location::Member(referrer.clone()),
            reason: format!("invalid digest {:?}", desc.digest),
        })?;
        let bytes = require(store, &path, &referrer)?;
        if json::is_index_media_type(&desc.media_type) {
            index = json::parse(&bytes, &path)?;
            inherited_name = candidates[pick].name.clone().or(inherited_name);
            referrer = path;
            continue;
        }
        let manifest: Manifest = json::parse(&bytes, &path)?;
        if manifest
            .media_type
            .as_deref()
            .is_some_and(json::is_index_media_type)
            && let Some(manifests) = manifest.manifests.clone()
        {
            index = Index { manifests };
            referrer = path;
            continue;
        }
        return oci_image(store, &candidates[pick], &path, manifest, format);
    }
    Err(Error::BadJson {
        at: Location::Member(referrer),
        reason: format!("image indexes nested more than {MAX_INDEX_DEPTH} deep"),
    })
}

fn oci_image(
    store: &dyn Store,
    chosen: &select::Candidate,
    manifest_path: &str,
    manifest: Manifest,
    format: Format,
) -> Result<Resolved> {
    let config_path = blob_path(&manifest.config.digest).ok_or_else(|| Error::BadJson {
        at: Location::Member(manifest_path.to_string()),
        reason: format!("invalid config digest {:?}", manifest.config.digest),
    })?;
    let config_bytes = require(store, &config_path, manifest_path)?;
    let config: ImageConfig = json::parse(&config_bytes, &config_path)?;
    let diff_ids = config
        .rootfs
        .as_ref()
        .map(|r| r.diff_ids.clone())
        .unwrap_or_default();
    if !diff_ids.is_empty() && diff_ids.len() != manifest.layers.len() {
        return Err(Error::LayerCountMismatch {
            at: Location::Member(config_path),
            manifest: manifest.layers.len(),
            config: diff_ids.len(),
        });
    }
    let mut warnings = Vec::new();
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for (i, d) in manifest.layers.iter().enumerate() {
        let member = blob_path(&d.digest).ok_or_else(|| Error::BadJson {
            at: Location::Member(manifest_path.to_string()),
            reason: format!("invalid layer digest {:?}", d.digest),
        })?;
        if !store.contains(&member) {
            return Err(Error::MissingBlob {
                at: Location::Member(manifest_path.to_string()),
                what: d.digest.clone(),
            });
        }
        if d.media_type.contains("foreign") || d.media_type.contains("nondistributable") {
            warnings.push(Warning::new(
                WarningKind::Layout,
                format!("layer {i} is a non-distributable layer ({})", d.media_type),
            ));
        }
        layers.push(LayerRef {
            member,
            diff_id: diff_ids.get(i).cloned(),
            digest: Some(d.digest.clone()),
            media_type: Some(d.media_type.clone()),
            declared_size: u64::try_from(d.size).ok(),
        });
    }
    Ok(Resolved {
        format,
        repo_tags: chosen.name.clone().into_iter().collect(),
        config,
        config_digest: Some(manifest.config.digest.clone()),
        manifest_digest: Some(chosen.descriptor.digest.clone()),
        layers,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_from_member_paths() {
        let hex = "a".repeat(64);
        assert_eq!(
            digest_from_path(&format!("blobs/sha256/{hex}")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(
            digest_from_path(&format!("{hex}.tar.gz")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(
            digest_from_path(&format!("{hex}.tar")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(digest_from_path(&format!("{hex}/layer.tar")), None);
        assert_eq!(blob_path("sha256:../../etc"), None);
    }
}
