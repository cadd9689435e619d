//! Opening what the user named: a file (positioned reads, so layers are read in parallel), an OCI
//! layout directory, or stdin.

use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use imgslim_core::{Input, Options, Source, Store};

use crate::args::ImageArgs;

/// A file read with `pread`, shared by the layer threads.
struct FileSource {
    file: File,
    len: u64,
}

impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    #[cfg(unix)]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(&self.file, buf, offset)
    }

    #[cfg(windows)]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(&self.file, buf, offset)
    }
}

fn open_file(path: &Path) -> io::Result<FileSource> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    Ok(FileSource { file, len })
}

/// An OCI layout directory. Paths come from the image's own JSON, so they are checked to stay
/// inside the directory: no `..`, no absolute paths, no symlink leading out.
struct DirStore {
    root: PathBuf,
}

impl Store for DirStore {
    fn open(&self, path: &str) -> io::Result<Option<Arc<dyn Source>>> {
        let rel = Path::new(path);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Ok(None);
        }
        let full = self.root.join(rel);
        let real = match full.canonicalize() {
            Ok(p) => p,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        if !real.starts_with(&self.root) || !real.is_file() {
            return Ok(None);
        }
        Ok(Some(Arc::new(open_file(&real)?)))
    }
}

/// Options for the core from the flags.
pub fn options(args: &ImageArgs) -> Options {
    let mut o = Options {
        image: args.image_name.clone(),
        platform: args.platform.clone(),
        verify: args.verify,
        ..Options::default()
    };
    o.limits.max_expansion = args.max_expansion;
    o.limits.expansion_floor = args.expansion_floor;
    o.limits.max_layer_bytes = args.max_layer_size;
    o.limits.max_entries = args.max_entries;
    o
}

/// What the user named, opened.
pub enum Opened {
    /// A file or directory.
    Seekable(Input<'static>),
    /// Standard input.
    Stdin,
}

/// Name of the input for messages.
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// Open the image argument.
pub fn open(path: &Path) -> Result<Opened> {
    if path == Path::new("-") {
        return Ok(Opened::Stdin);
    }
    let name = display_name(path);
    let meta = std::fs::metadata(path).with_context(|| format!("{name}: cannot open"))?;
    if meta.is_dir() {
        if !path.join("index.json").is_file() {
            bail!("{name}: a directory, but not an OCI image layout (no index.json)");
        }
        let root = path
            .canonicalize()
            .with_context(|| format!("{name}: cannot open"))?;
        return Ok(Opened::Seekable(Input::Layout {
            store: Arc::new(DirStore { root }),
            name,
        }));
    }
    let src = open_file(path).with_context(|| format!("{name}: cannot open"))?;
    Ok(Opened::Seekable(Input::Archive {
        source: Arc::new(src),
        name,
    }))
}
