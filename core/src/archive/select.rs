//! Choosing one image from an archive that holds several (`--image`) or from a multi-platform
//! index (`--platform`). Ambiguity is an error that lists the choices.

use super::json::{self, Descriptor, DockerManifestEntry, ImageConfig, Platform, blob_path};
use super::store::{Store, read_small};
use crate::error::{Error, Result};
use crate::options::Options;

/// Annotations that name an image in an OCI index (image-spec `annotations.md`; containerd).
const NAME_ANNOTATIONS: [&str; 2] = [
    "io.containerd.image.name",
    "org.opencontainers.image.ref.name",
];

/// A display name for entry `i` of docker-save's manifest.json.
pub(super) fn docker_entry_name(i: usize, e: &DockerManifestEntry) -> String {
    match e.repo_tags.as_deref() {
        Some([first, ..]) => first.clone(),
        _ => format!("#{i} (untagged, config {})", e.config),
    }
}

/// Whether a full reference such as `docker.io/library/app:1.0` matches what the user typed:
/// the whole reference, or its trailing path elements, with `:latest` implied when no tag is given.
pub(crate) fn name_matches(reference: &str, wanted: &str) -> bool {
    let has_tag = |s: &str| s.rsplit('/').next().is_some_and(|last| last.contains(':'));
    let wanted_full = if has_tag(wanted) || wanted.contains('@') {
        wanted.to_string()
    } else {
        format!("{wanted}:latest")
    };
    let candidates = [wanted, wanted_full.as_str()];
    candidates
        .iter()
        .any(|w| reference == *w || reference.ends_with(&format!("/{w}")))
}

pub(super) fn pick_docker(
    entries: &[DockerManifestEntry],
    names: &[String],
    wanted: Option<&str>,
) -> Result<usize> {
    if entries.is_empty() {
        return Err(Error::BadJson {
            at: crate::error::Location::Member("manifest.json".into()),
            reason: "lists no images".into(),
        });
    }
    let Some(wanted) = wanted else {
        if entries.len() == 1 {
            return Ok(0);
        }
        return Err(Error::AmbiguousImage {
            choices: all_tags(entries, names),
        });
    };
    if let Some(i) = wanted
        .strip_prefix('#')
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&i| i < entries.len())
    {
        return Ok(i);
    }
    entries
        .iter()
        .position(|e| {
            e.repo_tags
                .iter()
                .flatten()
                .any(|t| name_matches(t, wanted))
        })
        .ok_or_else(|| Error::ImageNotFound {
            wanted: wanted.to_string(),
            choices: all_tags(entries, names),
        })
}

fn all_tags(entries: &[DockerManifestEntry], names: &[String]) -> Vec<String> {
    entries
        .iter()
        .zip(names)
        .flat_map(|(e, name)| match e.repo_tags.as_deref() {
            Some(tags) if !tags.is_empty() => tags.to_vec(),
            _ => vec![name.clone()],
        })
        .collect()
}

/// One manifest an index offers.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub descriptor: Descriptor,
    pub name: Option<String>,
    pub platform: Option<Platform>,
}

/// The manifests of an index that are images (attestations and signatures dropped), with their
/// names and platforms. A manifest without a platform in its descriptor takes it from its config.
pub(super) fn oci_candidates(
    store: &dyn Store,
    manifests: &[Descriptor],
    inherited_name: Option<&str>,
) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for d in manifests {
        let ann = d.annotations.as_ref();
        let get = |k: &str| ann.and_then(|a| a.get(k)).cloned();
        if get("vnd.docker.reference.type").as_deref() == Some("attestation-manifest") {
            continue;
        }
        if d.platform
            .as_ref()
            .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
        {
            continue;
        }
        let name = NAME_ANNOTATIONS
            .iter()
            .find_map(|k| get(k))
            .or_else(|| inherited_name.map(str::to_string));
        let platform = match &d.platform {
            Some(p) => Some(p.clone()),
            None if !json::is_index_media_type(&d.media_type) => platform_from_config(store, d),
            None => None,
        };
        out.push(Candidate {
            descriptor: d.clone(),
            name,
            platform,
        });
    }
    if out.is_empty() {
        return Err(Error::BadJson {
            at: crate::error::Location::Member("index.json".into()),
            reason: "the index lists no image manifests".into(),
        });
    }
    Ok(out)
}

/// Best effort: read the manifest and its config to learn the platform.
fn platform_from_config(store: &dyn Store, d: &Descriptor) -> Option<Platform> {
    let manifest: json::Manifest =
        serde_json::from_slice(&read_small(store, &blob_path(&d.digest)?).ok()??).ok()?;
    let config: ImageConfig =
        serde_json::from_slice(&read_small(store, &blob_path(&manifest.config.digest)?).ok()??)
            .ok()?;
    Some(Platform {
        os: config.os,
        architecture: config.architecture,
        variant: config.variant,
    })
}

fn platform_matches(p: &Platform, wanted: &str) -> bool {
    let mut parts = wanted.split('/');
    let os = parts.next().unwrap_or("");
    let arch = parts.next().unwrap_or("");
    let variant = parts.next();
    p.os == os && p.architecture == arch && (variant.is_none() || p.variant.as_deref() == variant)
}

pub(super) fn pick_oci(candidates: &[Candidate], opts: &Options) -> Result<usize> {
    let mut idx: Vec<usize> = (0..candidates.len()).collect();
    if let Some(wanted) = opts.image.as_deref() {
        let named: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| {
                candidates[i]
                    .name
                    .as_deref()
                    .is_some_and(|n| n == wanted || name_matches(n, wanted))
            })
            .collect();
        // An index whose entries carry no names at all cannot be filtered by name; a single
        // unnamed image is still the one the user means.
        if named.is_empty() && candidates.iter().any(|c| c.name.is_some()) {
            return Err(Error::ImageNotFound {
                wanted: wanted.to_string(),
                choices: candidates.iter().filter_map(|c| c.name.clone()).collect(),
            });
        }
        if !named.is_empty() {
            idx = named;
        }
    }
    let platforms = |ids: &[usize]| -> Vec<String> {
        ids.iter()
            .map(|&i| {
                candidates[i]
                    .platform
                    .as_ref()
                    .map_or_else(|| "unknown".to_string(), Platform::to_string)
            })
            .collect()
    };
    if let Some(wanted) = opts.platform.as_deref() {
        let all = platforms(&idx);
        // A nested index has no platform of its own; it is filtered when it is resolved.
        idx.retain(|&i| {
            json::is_index_media_type(&candidates[i].descriptor.media_type)
                || candidates[i]
                    .platform
                    .as_ref()
                    .is_some_and(|p| platform_matches(p, wanted))
        });
        if idx.is_empty() {
            return Err(Error::PlatformNotFound {
                wanted: wanted.to_string(),
                choices: all,
            });
        }
    }
    match idx.as_slice() {
        [one] => Ok(*one),
        many => {
            let mut plats = platforms(many);
            plats.sort();
            plats.dedup();
            if plats.len() > 1 {
                Err(Error::AmbiguousPlatform { choices: plats })
            } else {
                Err(Error::AmbiguousImage {
                    choices: many
                        .iter()
                        .map(|&i| {
                            candidates[i]
                                .name
                                .clone()
                                .unwrap_or_else(|| candidates[i].descriptor.digest.clone())
                        })
                        .collect(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_with_implied_latest_and_registry_prefix() {
        assert!(name_matches("localhost/corpus/app:latest", "app"));
        assert!(name_matches(
            "localhost/corpus/app:latest",
            "corpus/app:latest"
        ));
        assert!(name_matches("docker.io/library/app:1.0", "app:1.0"));
        assert!(!name_matches("docker.io/library/app:1.0", "app"));
        assert!(!name_matches("localhost/myapp:latest", "app"));
    }

    #[test]
    fn platforms_match_with_optional_variant() {
        let p = Platform {
            os: "linux".into(),
            architecture: "arm64".into(),
            variant: Some("v8".into()),
        };
        assert!(platform_matches(&p, "linux/arm64"));
        assert!(platform_matches(&p, "linux/arm64/v8"));
        assert!(!platform_matches(&p, "linux/arm64/v7"));
        assert!(!platform_matches(&p, "linux/amd64"));
    }
}
