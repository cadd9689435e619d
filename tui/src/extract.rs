//! Extracting one file from the archive into a directory the user confirmed.
//!
//! The name comes from the image, so it is untrusted: only its last component is used, with
//! separators, control characters and `.`/`..` replaced, and the file is created with
//! `create_new` (`O_EXCL`), which never follows a symlink planted at the destination and never
//! overwrites an existing file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use imgslim_core::Analysis;
use imgslim_core::tree::ContentId;

/// A safe single-component file name for a raw tar name (lossy UTF-8).
pub fn sanitize_name(raw: &[u8]) -> String {
    let base = raw.rsplit(|&b| b == b'/').next().unwrap_or_default();
    let text = String::from_utf8_lossy(base);
    let mut name: String = text
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '\0') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if name.is_empty() || name == "." || name == ".." {
        name = "extracted".to_owned();
    }
    // Keep names within common file-system limits (255 bytes), on a char boundary.
    while name.len() > 200 {
        name.pop();
    }
    name
}

/// Write the content to a new file named after `raw_name` inside `dir` (created if missing);
/// when the name is taken, `NAME.1`, `NAME.2`, … are tried. Returns the path written.
pub fn extract_to(
    analysis: &Analysis,
    content: ContentId,
    raw_name: &[u8],
    dir: &Path,
) -> Result<PathBuf, String> {
    if !analysis.can_extract() {
        return Err("the image was read from a stream; save it to a file to extract".into());
    }
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if !dir.is_dir() {
        return Err(format!("{}: not a directory", dir.display()));
    }
    let name = sanitize_name(raw_name);
    let (path, file) = create_unique(dir, &name).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = BufWriter::new(file);
    let result = analysis
        .extract(content, &mut out)
        .map_err(|e| e.to_string())
        .and_then(|_| out.flush().map_err(|e| e.to_string()));
    if let Err(e) = result {
        drop(out);
        // Leave no half-written file behind.
        let _ = fs::remove_file(&path);
        return Err(format!("{}: {e}", path.display()));
    }
    Ok(path)
}

fn create_unique(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    for n in 0..1000 {
        let candidate = if n == 0 {
            name.to_owned()
        } else {
            format!("{name}.{n}")
        };
        let path = dir.join(&candidate);
        debug_assert_eq!(path.parent(), Some(dir));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!("{name}: 1000 names taken")))
}

#[cfg(test)]
mod tests {
    use super::sanitize_name;

    #[test]
    fn names_stay_one_component() {
        assert_eq!(sanitize_name(b"usr/bin/gcc"), "gcc");
        assert_eq!(sanitize_name(b".."), "extracted");
        assert_eq!(sanitize_name(b"a/.."), "extracted");
        assert_eq!(sanitize_name(b""), "extracted");
        assert_eq!(sanitize_name(b"a\\b:c\x1b"), "a_b_c_");
        assert_eq!(sanitize_name(b"caf\xc3\xa9"), "café");
        assert_eq!(sanitize_name(&[b'x'; 300]).len(), 200);
    }
}
