//! Pairs of images for `imgslim diff` and `imgslim check`: a release, and the same image with
//! a grown layer, a leaked toolchain or an added cache, written with the fixture builder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use imgslim_tests::fixtures::{Content, Entry, Flavour, Image, Layer, write_archive};

/// The built binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_imgslim");

fn pseudo(path: &str, seed: u64, len: u64) -> Entry {
    Entry::file_with(path, Content::Pseudo { seed, len }, 0o755)
}

fn dirs(paths: &[&str]) -> Vec<Entry> {
    paths.iter().map(|p| Entry::dir(p)).collect()
}

/// The base layer every variant shares (same bytes, so the same diff_id): 64 KiB.
fn base() -> Layer {
    let mut e = dirs(&["usr", "usr/bin", "usr/lib", "etc", "var", "var/lib", "root"]);
    e.push(pseudo("usr/bin/bash", 1, 40 * 1024));
    e.push(pseudo("usr/lib/libc.so.6", 2, 24 * 1024));
    e.push(Entry::file("etc/os-release", "ID=debian\n"));
    Layer::new(
        "/bin/sh -c #(nop) ADD file:5d1f0f3c8a4b7e2d5d1f0f3c8a4b7e2d in / ",
        e,
    )
}

/// The application layer: `app/server` of `server_kib` KiB (and `app/assets.bin` if `assets`).
fn app(server_kib: u64, assets: bool) -> Layer {
    let mut e = dirs(&["app"]);
    e.push(pseudo("app/server", 10 + server_kib, server_kib * 1024));
    if assets {
        e.push(pseudo("app/assets.bin", 11, 100 * 1024));
    }
    Layer::new("COPY app/ /app/ # buildkit", e)
}

/// The release: base (64 KiB) + app (200 KiB).
pub fn release() -> Image {
    Image::new(vec![base(), app(200, false)])
}

/// The same image whose app layer grew: server 300 KiB and 100 KiB of assets (+200 KiB).
pub fn grown_layer() -> Image {
    Image::new(vec![base(), app(300, true)])
}

/// The toolchain layer: gcc and cc1, 1 MiB + 3 MiB.
pub fn toolchain_layer() -> Layer {
    let mut e = dirs(&[
        "usr",
        "usr/bin",
        "usr/lib",
        "usr/lib/gcc",
        "usr/lib/gcc/x86_64-linux-gnu",
        "usr/lib/gcc/x86_64-linux-gnu/12",
    ]);
    e.push(pseudo("usr/bin/gcc-12", 20, 1024 * 1024));
    e.push(Entry::symlink("usr/bin/gcc", "gcc-12"));
    e.push(pseudo(
        "usr/lib/gcc/x86_64-linux-gnu/12/cc1",
        21,
        3 * 1024 * 1024,
    ));
    Layer::new(
        "RUN /bin/sh -c apt-get update && apt-get install -y gcc # buildkit",
        e,
    )
}

/// The release built in one stage: the toolchain stays in the image (+4 MiB, one more layer).
pub fn leaked_toolchain() -> Image {
    Image::new(vec![base(), toolchain_layer(), app(200, false)])
}

/// The release with package caches left behind: apt lists (2 MiB) and an npm cache (1 MiB).
pub fn added_cache() -> Image {
    let mut e = dirs(&[
        "var",
        "var/lib",
        "var/lib/apt",
        "var/lib/apt/lists",
        "root",
        "root/.npm",
        "root/.npm/_cacache",
    ]);
    e.push(pseudo(
        "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages",
        30,
        2 * 1024 * 1024,
    ));
    e.push(pseudo("root/.npm/_cacache/content.bin", 31, 1024 * 1024));
    Image::new(vec![
        base(),
        Layer::new("RUN /bin/sh -c apt-get update && npm ci # buildkit", e),
        app(200, false),
    ])
}

/// The release with waste and duplicates: a layer stores 512 KiB that the next deletes, and
/// the app ships a copy of its server (200 KiB duplicate).
pub fn wasteful() -> Image {
    let tmp = Layer::new(
        "RUN /bin/sh -c curl -o /tmp/big.tar https://example.com/big.tar # buildkit",
        vec![Entry::dir("tmp"), pseudo("tmp/big.tar", 40, 512 * 1024)],
    );
    let rm = Layer::new(
        "RUN /bin/sh -c rm /tmp/big.tar # buildkit",
        vec![Entry::dir("tmp"), Entry::whiteout("tmp/big.tar")],
    );
    let mut copy = app(200, false);
    copy.entries
        .push(pseudo("app/server.bak", 10 + 200, 200 * 1024));
    Image::new(vec![base(), tmp, rm, copy])
}

/// Write `image` as a docker-save archive named `name` in `dir`.
pub fn write(dir: &Path, name: &str, image: &Image) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, write_archive(image, Flavour::Docker25)).expect("write fixture");
    p
}

/// Run `imgslim ARGS` in `dir` (no colour, no progress bar, no job summary unless `env` sets
/// one).
pub fn imgslim(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("spawn imgslim")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code, with both streams in the panic message when it is not `want`.
pub fn expect_code(o: &Output, want: i32, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(want),
        "{what}\nstdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}
