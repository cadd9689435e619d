//! The JSON documents of an image, as lenient serde types: docker-save `manifest.json`, OCI
//! `index.json` and manifests (image-spec `image-index.md`, `manifest.md`), and the image config
//! (image-spec `config.md`). Unknown fields are ignored; missing optional ones default.
//!
//! Own types rather than `oci-spec`'s: those reject documents that real tools write (podman's
//! legacy configs, empty `history`), and a lenient reader is what an analyser needs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};

/// Parse `bytes` as `T`, naming `at` in the error.
pub(crate) fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8], at: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::BadJson {
        at: Location::Member(at.to_string()),
        reason: e.to_string(),
    })
}

/// One entry of docker-save's `manifest.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DockerManifestEntry {
    pub config: String,
    #[serde(default)]
    pub repo_tags: Option<Vec<String>>,
    pub layers: Vec<String>,
    /// Docker >= 25 and containerd: descriptors of layers by diff_id (foreign layers).
    #[serde(default)]
    pub layer_sources: Option<BTreeMap<String, Descriptor>>,
}

/// An OCI content descriptor.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: i64,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// A platform in an index.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct Platform {
    /// Operating system, `linux`.
    #[serde(default)]
    pub os: String,
    /// CPU architecture, `amd64`.
    #[serde(default)]
    pub architecture: String,
    /// Variant, `v8`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// An OCI image index (or a docker manifest list).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Index {
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

/// An OCI image manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Manifest {
    #[serde(default)]
    pub media_type: Option<String>,
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    /// Present when this document is really an index.
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
}

/// The image configuration.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ImageConfig {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub config: Option<RunConfig>,
    #[serde(default)]
    pub rootfs: Option<RootFs>,
    #[serde(default)]
    pub history: Option<Vec<History>>,
}

/// The `config` member of an image config: how a container runs.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct RunConfig {
    /// `ENTRYPOINT`.
    #[serde(
        rename = "Entrypoint",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub entrypoint: Option<Vec<String>>,
    /// `CMD`.
    #[serde(rename = "Cmd", default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    /// `ENV`, as `KEY=value`.
    #[serde(rename = "Env", default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    /// `WORKDIR`.
    #[serde(
        rename = "WorkingDir",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub working_dir: Option<String>,
    /// `USER`.
    #[serde(rename = "User", default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `LABEL`s.
    #[serde(rename = "Labels", default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// `rootfs` of an image config.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct RootFs {
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// One `history` entry.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct History {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub empty_layer: bool,
}

/// Media types of indexes (OCI and Docker manifest lists).
pub(crate) fn is_index_media_type(mt: &str) -> bool {
    mt == "application/vnd.oci.image.index.v1+json"
        || mt == "application/vnd.docker.distribution.manifest.list.v2+json"
}

/// `sha256:abc…` → `blobs/sha256/abc…` (image-spec `image-layout.md`). Rejects digests that would
/// name a path outside `blobs/`.
pub(crate) fn blob_path(digest: &str) -> Option<String> {
    let (alg, hex) = digest.split_once(':')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| {
                b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.' || b == b'_'
            })
            && !s.starts_with('.')
    };
    (ok(alg) && ok(hex)).then(|| format!("blobs/{alg}/{hex}"))
}
