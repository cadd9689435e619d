//! One sequential pass over an archive that cannot be seeked (stdin, or a gzip-compressed
//! `docker save | gzip`). Members arrive in any order (Docker writes `manifest.json` last), so
//! every member that looks like a layer is scanned as it passes, and small documents are kept;
//! the manifest is resolved at the end against what was seen.

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::Arc;

use super::store::{MAX_JSON, Store, link_target, member_key, next_member};
use crate::error::{Error, Location, Result};
use crate::layer::scan::{self, LayerInput, LayerScan, ScanPlan};
use crate::progress::Progress;
use crate::source::{Sequential, Source};
use crate::tar::{Item, TarReader, typeflag};

/// Members up to this size are kept in memory (documents, tiny layers).
const KEEP_SMALL: u64 = 1 << 20;
/// All kept members together may not exceed this (a flood of small members is refused).
const KEEP_TOTAL: u64 = 512 << 20;

enum Kept {
    Data(Arc<Vec<u8>>),
    /// Too large to keep; only its scan (or scan error) remains.
    Scanned,
    Link(String),
}

/// What a sequential pass saw: kept documents, and the scan of every member that was a layer.
pub(crate) struct Streamed {
    members: HashMap<String, Kept>,
    scans: HashMap<String, Result<Arc<LayerScan>>>,
}

impl Streamed {
    fn resolve(&self, path: &str) -> Option<String> {
        let mut key = member_key(path.as_bytes());
        for _ in 0..16 {
            match self.members.get(&key)? {
                Kept::Link(target) => key = target.clone(),
                _ => return Some(key),
            }
        }
        None
    }

    /// The scan of the member at `path`, if it was a layer. The error of a member that failed
    /// to scan is returned as it happened, so a corrupt layer is reported as corrupt rather than
    /// missing.
    pub(crate) fn take_scan(&self, path: &str, at: &Location) -> Result<Arc<LayerScan>> {
        let key = self.resolve(path);
        match key.as_ref().and_then(|k| self.scans.get(k)) {
            Some(Ok(scan)) => Ok(scan.clone()),
            Some(Err(e)) => Err(relabel(e, at)),
            None => Err(Error::CorruptTar {
                at: at.clone(),
                reason: "not a tar stream".into(),
            }),
        }
    }
}

/// Re-create an error (they are not `Clone`) with the layer's location.
fn relabel(e: &Error, at: &Location) -> Error {
    match e {
        Error::CorruptTar { reason, .. } => Error::CorruptTar {
            at: at.clone(),
            reason: reason.clone(),
        },
        Error::CorruptCompression {
            compression,
            source,
            ..
        } => Error::CorruptCompression {
            at: at.clone(),
            compression,
            source: io::Error::new(source.kind(), source.to_string()),
        },
        Error::Truncated { reason, .. } => Error::Truncated {
            at: at.clone(),
            reason: reason.clone(),
        },
        Error::LimitExceeded {
            what, limit, flag, ..
        } => Error::LimitExceeded {
            at: at.clone(),
            what: what.clone(),
            limit: limit.clone(),
            flag,
        },
        Error::Cancelled => Error::Cancelled,
        other => Error::CorruptTar {
            at: at.clone(),
            reason: other.to_string(),
        },
    }
}

impl Store for Streamed {
    fn open(&self, path: &str) -> io::Result<Option<Arc<dyn Source>>> {
        let Some(key) = self.resolve(path) else {
            return Ok(None);
        };
        Ok(match self.members.get(&key) {
            Some(Kept::Data(d)) => Some(d.clone() as Arc<dyn Source>),
            _ => None,
        })
    }

    fn contains(&self, path: &str) -> bool {
        self.resolve(path)
            .is_some_and(|k| matches!(self.members.get(&k), Some(Kept::Data(_) | Kept::Scanned)))
    }
}

fn looks_like_json(head: &[u8]) -> bool {
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{' || b == b'[')
}

/// Read the whole archive once from `input`.
pub(crate) fn read_stream(
    input: &mut dyn Read,
    name: &str,
    plan: ScanPlan<'_>,
    progress: &Progress<'_>,
) -> Result<Streamed> {
    let at = Location::Member(name.to_string());
    let mut tar = TarReader::new(Sequential(input));
    let mut out = Streamed {
        members: HashMap::new(),
        scans: HashMap::new(),
    };
    let mut kept_total = 0u64;
    let mut first = true;
    while let Some(item) = next_member(&mut tar, first, &at, plan.limits)? {
        first = false;
        let Item::Entry(e) = item else { continue };
        let key = member_key(&e.path);
        match e.typeflag {
            typeflag::DIR => continue,
            typeflag::SYMLINK | typeflag::HARDLINK => {
                let target = link_target(&key, e.typeflag, &e.link);
                out.members.insert(key, Kept::Link(target));
                continue;
            }
            _ => {}
        }
        let member_at = Location::Member(key.clone());
        if e.data_len <= KEEP_SMALL {
            kept_total += e.data_len;
            if kept_total > KEEP_TOTAL {
                return Err(Error::LimitExceeded {
                    at,
                    what: "total size of small members kept from a stream".into(),
                    limit: format!("{KEEP_TOTAL} bytes"),
                    flag: "(no option; save the archive to a file and analyse that)",
                });
            }
            let mut data = Vec::with_capacity(e.data_len as usize);
            tar.data()
                .read_to_end(&mut data)
                .map_err(|err| scan::map_io(&member_at, err, plan.limits))?;
            if !looks_like_json(&data) {
                let result = scan::scan(
                    LayerInput::Stream {
                        reader: &mut &data[..],
                        len: data.len() as u64,
                    },
                    plan,
                    &member_at,
                    progress,
                );
                out.scans.insert(key.clone(), result.map(Arc::new));
            }
            out.members.insert(key, Kept::Data(Arc::new(data)));
            continue;
        }
        let mut head = [0u8; 4];
        let mut data = tar.data();
        let mut got = 0;
        while got < head.len() {
            let n = data
                .read(&mut head[got..])
                .map_err(|err| scan::map_io(&member_at, err, plan.limits))?;
            if n == 0 {
                break;
            }
            got += n;
        }
        if looks_like_json(&head[..got]) && e.data_len <= MAX_JSON {
            let mut doc = head[..got].to_vec();
            data.read_to_end(&mut doc)
                .map_err(|err| scan::map_io(&member_at, err, plan.limits))?;
            out.members.insert(key, Kept::Data(Arc::new(doc)));
            continue;
        }
        let mut chained = (&head[..got]).chain(data);
        let result = scan::scan(
            LayerInput::Stream {
                reader: &mut chained,
                len: e.data_len,
            },
            plan,
            &member_at,
            progress,
        );
        if let Err(Error::Cancelled) = result {
            return Err(Error::Cancelled);
        }
        // A failed scan is kept: it matters only if the manifest names this member.
        out.scans.insert(key.clone(), result.map(Arc::new));
        out.members.insert(key, Kept::Scanned);
    }
    if first {
        return Err(Error::NotAnArchive("the tar archive has no members".into()));
    }
    Ok(out)
}
