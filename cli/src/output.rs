//! Where reports go: stdout, or a file written whole (via a temporary file renamed into place, so
//! an error never leaves a partial report), and whether to colour.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Colour only on a terminal, and never when `NO_COLOR` is set to anything non-empty
/// (no-color.org).
pub fn use_color(to_file: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !to_file && !no_color && io::stdout().is_terminal()
}

/// Write `text` to `path`, or to stdout when `path` is `None` or `-`.
pub fn emit(text: &str, path: Option<&Path>) -> Result<()> {
    emit_with(path, |w| Ok(w.write_all(text.as_bytes())?))
}

/// Let `write` produce the report straight into `path` (through the temporary file) or stdout:
/// a large JSON report is never held whole in memory next to the analysis.
pub fn emit_with(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    match path {
        Some(p) if p != Path::new("-") => write_atomic(p, write),
        _ => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            write(&mut out)?;
            out.flush()?;
            Ok(())
        }
    }
}

fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let cannot = || format!("{}: cannot write", path.display());
    let fill = |file: std::fs::File| -> Result<()> {
        let mut out = io::BufWriter::new(file);
        write(&mut out)?;
        out.flush()?;
        Ok(())
    };
    // Only a regular file (or a new one) may be replaced by a rename: renaming over `/dev/null`
    // or a FIFO would put a regular file where the device was (it happened to this machine's
    // /dev/null during benchmarks with `-o /dev/null`). Such targets are written in place.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(cannot)?;
        return fill(file).with_context(cannot);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.imgslim-{}.tmp", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .map_err(anyhow::Error::from)
        .and_then(fill)
        .and_then(|()| Ok(std::fs::rename(&tmp, path)?));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(cannot)
}
