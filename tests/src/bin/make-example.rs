//! Writes the project's example image (see `imgslim_tests::fixtures::example`).
//!
//! ```text
//! make-example [--flavour NAME] OUT
//! ```
//!
//! `NAME` is one of the flavour names (`docker25` by default, `docker-legacy`, `docker`,
//! `containerd-gzip`, `containerd-zstd`, `crane-gzip`, `oci`, `zstd.oci`, `plain.oci`) or
//! `oci-dir`, which writes an OCI layout directory (gzip layers) at `OUT`. The output is
//! byte-for-byte reproducible.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use imgslim_tests::fixtures::{Compression, Flavour, example, write_archive_to, write_oci_dir};

const USAGE: &str = "usage: make-example [--flavour NAME] OUT";

enum Target {
    Archive(Flavour),
    OciDir,
}

fn parse_args() -> Result<(Target, PathBuf), String> {
    let mut target = Target::Archive(Flavour::Docker25);
    let mut out = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("-h" | "--help") => return Err(USAGE.to_owned()),
            Some("--flavour" | "--flavor") => {
                let name = args.next().ok_or("--flavour needs a value")?;
                let name = name.to_str().ok_or("flavour names are ASCII")?;
                target = if name == "oci-dir" {
                    Target::OciDir
                } else {
                    Target::Archive(name.parse()?)
                };
            }
            _ if out.is_none() => out = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg:?}\n{USAGE}")),
        }
    }
    Ok((target, out.ok_or(USAGE)?))
}

fn main() -> ExitCode {
    let (target, out) = match parse_args() {
        Ok(v) => v,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let image = example::example_image();
    let result = match target {
        Target::OciDir => write_oci_dir(&image, Compression::Gzip, &out),
        Target::Archive(flavour) => {
            File::create(&out).and_then(|f| write_archive_to(&image, flavour, BufWriter::new(f)))
        }
    };
    match result {
        Ok(built) => {
            println!("{}: image {}", out.display(), built.config_digest);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("make-example: {}: {e}", out.display());
            ExitCode::from(2)
        }
    }
}
