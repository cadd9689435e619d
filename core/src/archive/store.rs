//! Named members with random access: the outer tar indexed by byte ranges, or (through the CLI) an
//! OCI layout directory. Manifests name members by path, so everything above this speaks paths.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;

use crate::error::{Error, Location, Result};
use crate::layer::path;
use crate::options::Limits;
use crate::source::{RangeReader, SkipRead, Source, read_exact_at};
use crate::tar::{Item, TarError, TarReader, typeflag};

/// A set of members, looked up by relative path (`manifest.json`, `blobs/sha256/…`).
pub trait Store: Send + Sync {
    /// The member at `path` (symlinks inside the archive resolved), or `None`.
    fn open(&self, path: &str) -> io::Result<Option<Arc<dyn Source>>>;

    /// Whether a member exists, without opening it.
    fn contains(&self, path: &str) -> bool {
        matches!(self.open(path), Ok(Some(_)))
    }
}

/// A byte range of a shared source, itself a source.
pub(crate) struct Slice {
    pub src: Arc<dyn Source>,
    pub offset: u64,
    pub len: u64,
}

impl Source for Slice {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len {
            return Ok(0);
        }
        let want = (self.len - offset).min(buf.len() as u64) as usize;
        self.src.read_at(self.offset + offset, &mut buf[..want])
    }
}

#[derive(Debug, Clone)]
enum Member {
    File { offset: u64, len: u64 },
    Link(String),
    Dir,
}

/// The outer tar archive, indexed once by reading only its headers.
pub(crate) struct TarStore {
    src: Arc<dyn Source>,
    members: HashMap<String, Member>,
}

/// The next member of an outer archive, with errors named for the user: a first header that
/// does not parse means the input is not a tar at all.
pub(crate) fn next_member<R: SkipRead>(
    tar: &mut TarReader<R>,
    first: bool,
    at: &Location,
    limits: &Limits,
) -> Result<Option<Item>> {
    match tar.next_item() {
        Ok(item) => Ok(item),
        Err(TarError::Corrupt { offset: 0, .. }) if first => Err(Error::NotAnArchive(
            "not a tar archive (no valid tar header at byte 0)".into(),
        )),
        Err(TarError::Corrupt { offset, reason }) => Err(Error::CorruptTar {
            at: at.clone(),
            reason: format!("{reason} at byte {offset}"),
        }),
        Err(TarError::Io(e)) => Err(crate::layer::scan::map_io(at, e, limits)),
    }
}

/// Where a symlink or hardlink member points, as a member key. Symlink targets are relative to
/// the link's directory unless absolute; hardlink targets are archive paths.
pub(crate) fn link_target(key: &str, typeflag: u8, link: &[u8]) -> String {
    if typeflag != typeflag::SYMLINK || link.first() == Some(&b'/') {
        return member_key(link);
    }
    let (parent, _) = path::split_parent(key.as_bytes());
    let mut joined = parent.to_vec();
    if !joined.is_empty() {
        joined.push(b'/');
    }
    joined.extend_from_slice(link);
    member_key(&joined)
}

/// Normalise a member name or manifest path: cleaned, relative, `/`-separated.
pub(crate) fn member_key(raw: &[u8]) -> String {
    let cleaned = path::clean(raw);
    match path::relative(&cleaned) {
        path::Relative::Inside(p) => path::display(p),
        path::Relative::Root => String::new(),
        path::Relative::Escapes => path::display(&cleaned),
    }
}

impl TarStore {
    /// Index `src` as a tar archive. `name` labels errors.
    pub(crate) fn index(src: Arc<dyn Source>, name: &str) -> Result<TarStore> {
        let at = Location::Member(name.to_string());
        let mut tar = TarReader::new(RangeReader::new(&*src, 0, src.len()));
        let mut members = HashMap::new();
        let mut first = true;
        while let Some(item) = next_member(&mut tar, first, &at, &Limits::default())? {
            first = false;
            let Item::Entry(e) = item else { continue };
            let key = member_key(&e.path);
            let member = match e.typeflag {
                typeflag::DIR => Member::Dir,
                typeflag::SYMLINK | typeflag::HARDLINK => {
                    Member::Link(link_target(&key, e.typeflag, &e.link))
                }
                _ => Member::File {
                    offset: e.data_offset,
                    len: e.data_len,
                },
            };
            if e.data_offset.saturating_add(e.data_len) > src.len() {
                return Err(Error::Truncated {
                    at,
                    reason: format!(
                        "member {key} needs {} bytes at byte {} but the archive has {} bytes",
                        e.data_len,
                        e.data_offset,
                        src.len()
                    ),
                });
            }
            members.insert(key, member);
        }
        if first {
            return Err(Error::NotAnArchive("the tar archive has no members".into()));
        }
        Ok(TarStore { src, members })
    }

    fn resolve(&self, path: &str) -> io::Result<Option<(u64, u64)>> {
        let mut key = member_key(path.as_bytes());
        // Bounded hops: a symlink loop inside the archive ends here instead of spinning.
        for _ in 0..16 {
            match self.members.get(&key) {
                None | Some(Member::Dir) => return Ok(None),
                Some(Member::File { offset, len }) => return Ok(Some((*offset, *len))),
                Some(Member::Link(target)) => key = target.clone(),
            }
        }
        Err(io::Error::other(format!(
            "{path} is a symlink loop inside the archive"
        )))
    }
}

impl Store for TarStore {
    fn open(&self, path: &str) -> io::Result<Option<Arc<dyn Source>>> {
        Ok(self.resolve(path)?.map(|(offset, len)| {
            Arc::new(Slice {
                src: self.src.clone(),
                offset,
                len,
            }) as Arc<dyn Source>
        }))
    }

    fn contains(&self, path: &str) -> bool {
        // A symlink loop is there, but fails when opened: that error says what is wrong.
        !matches!(self.resolve(path), Ok(None))
    }
}

/// Largest JSON document read (manifests and configs are kilobytes; this stops a hostile member
/// from being read into memory whole).
pub(crate) const MAX_JSON: u64 = 64 << 20;

/// Read a whole (small) member.
pub(crate) fn read_small(store: &dyn Store, path: &str) -> Result<Option<Vec<u8>>> {
    let at = || Location::Member(path.to_string());
    let Some(src) = store.open(path).map_err(|e| Error::from_io(at(), e))? else {
        return Ok(None);
    };
    if src.len() > MAX_JSON {
        return Err(Error::BadJson {
            at: at(),
            reason: format!("{} bytes is too large for a JSON document", src.len()),
        });
    }
    let mut buf = vec![0u8; src.len() as usize];
    read_exact_at(&*src, 0, &mut buf).map_err(|e| Error::from_io(at(), e))?;
    Ok(Some(buf))
}
