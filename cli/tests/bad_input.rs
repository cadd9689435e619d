//! Bad input through the binary: every case exits 2 with exactly one `imgslim: error:` line that
//! names the file and the cause, prints nothing on stdout, never panics, and with `-o` leaves no
//! output file behind.

mod common;

use std::path::{Path, PathBuf};

use imgslim_tests::fixtures::{
    Content, Entry, Flavour, Image, Layer, write_archive, write_archive_built,
};

/// A minimal ustar writer for hand-made outer archives.
enum Member<'a> {
    File(&'a str, &'a [u8]),
    Symlink(&'a str, &'a str),
}

fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let s = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(s.as_bytes());
    field[digits] = 0;
}

fn header(name: &str, size: u64, typeflag: u8, link: &str) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], 0);
    h[148..156].copy_from_slice(b"        ");
    h[156] = typeflag;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

fn tar(members: &[Member]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in members {
        match m {
            Member::File(name, data) => {
                out.extend_from_slice(&header(name, data.len() as u64, b'0', ""));
                out.extend_from_slice(data);
                out.resize(out.len().div_ceil(512) * 512, 0);
            }
            Member::Symlink(name, target) => {
                out.extend_from_slice(&header(name, 0, b'2', target));
            }
        }
    }
    out.resize(out.len() + 1024, 0);
    out
}

const CONFIG: &str = r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}"#;

fn manifest(layer: &str) -> String {
    format!(r#"[{{"Config":"config.json","RepoTags":["x/y:1"],"Layers":["{layer}"]}}]"#)
}

/// Where the data of member `name` starts in an outer tar, and its size (plain ustar names).
fn member_data(tar: &[u8], name: &str) -> (usize, usize) {
    let mut off = 0;
    while off + 512 <= tar.len() && tar[off] != 0 {
        let h = &tar[off..off + 512];
        let end = h[..100].iter().position(|&b| b == 0).unwrap_or(100);
        let size_field = std::str::from_utf8(&h[124..136]).unwrap();
        let size =
            usize::from_str_radix(size_field.trim_matches(|c: char| c == '\0' || c == ' '), 8)
                .unwrap();
        if &h[..end] == name.as_bytes() {
            return (off + 512, size);
        }
        off += 512 + size.div_ceil(512) * 512;
    }
    panic!("no member {name}");
}

fn small_image(content: Content) -> Image {
    Image::new(vec![Layer::new(
        "ADD x",
        vec![Entry::dir("d"), Entry::file_with("d/x", content, 0o644)],
    )])
}

/// Run `analyze` on `path` (with `extra` flags) without and with `-o`, and check the error
/// contract; returns the message.
fn check_error(path: &Path, extra: &[&str], causes: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("out.json");
    let path_s = path.to_str().unwrap();
    let mut message = String::new();
    for with_output in [false, true] {
        let mut a = vec!["analyze", "--no-progress", "--format", "json", path_s];
        a.extend_from_slice(extra);
        if with_output {
            a.extend_from_slice(&["-o", out_file.to_str().unwrap()]);
        }
        let out = common::run(&common::args(&a), None);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{path_s}: stderr {err}");
        assert!(out.stdout.is_empty(), "{path_s}: stdout not empty");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(err.lines().count(), 1, "one line expected: {err}");
        assert!(err.starts_with("imgslim: error: "), "{err}");
        assert_eq!(
            err.matches(path_s).count(),
            1,
            "the message names the file once: {err}"
        );
        for c in causes {
            assert!(
                err.to_lowercase().contains(&c.to_lowercase()),
                "cause {c:?} missing: {err}"
            );
        }
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_none(),
            "an output file (or temporary) was left behind"
        );
        message = err;
        eprint!("{message}");
    }
    message
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn not_a_tar_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let text = write(dir.path(), "notes.txt", &b"just some text\n".repeat(100));
    check_error(&text, &[], &["not an image archive"]);
    let empty = write(dir.path(), "empty.tar", b"");
    check_error(&empty, &[], &["empty"]);
    // A tar that is not an image (a single layer).
    let layer =
        imgslim_tests::fixtures::layer_tar(&small_image(Content::Bytes(b"x".to_vec())).layers[0]);
    let plain = write(dir.path(), "layer.tar", &layer);
    check_error(&plain, &[], &["no manifest.json or index.json"]);
}

#[test]
fn truncated_archive() {
    let dir = tempfile::tempdir().unwrap();
    let image = small_image(Content::Pseudo { seed: 1, len: 8192 });
    let bytes = write_archive(&image, Flavour::DockerLegacy);
    let (data, size) = member_data(&bytes, "manifest.json");
    assert!(size > 0);
    // Cut in the middle of the first member after the manifest (or the layer, wherever it is).
    for cut in [data + size / 2, bytes.len() / 2, bytes.len() - 1536] {
        let p = write(dir.path(), &format!("cut-{cut}.tar"), &bytes[..cut]);
        check_error(&p, &[], &["truncated"]);
    }
    // Cut inside the layer's data: a truncated layer.
    let layer_name = tar_layer_member(&bytes);
    let (ldata, lsize) = member_data(&bytes, &layer_name);
    let p = write(dir.path(), "cut-layer.tar", &bytes[..ldata + lsize / 2]);
    check_error(&p, &[], &["truncated"]);
}

/// The `<id>/layer.tar` member of a legacy docker-save archive.
fn tar_layer_member(bytes: &[u8]) -> String {
    let (m, size) = member_data(bytes, "manifest.json");
    let v: serde_json::Value = serde_json::from_slice(&bytes[m..m + size]).unwrap();
    v[0]["Layers"][0].as_str().unwrap().to_owned()
}

#[test]
fn corrupt_compressed_layers() {
    let dir = tempfile::tempdir().unwrap();
    let image = small_image(Content::Pseudo {
        seed: 2,
        len: 20_000,
    });
    for (flavour, what) in [
        (Flavour::ContainerdGzip, "gzip"),
        (Flavour::ContainerdZstd, "zstd"),
    ] {
        let (mut bytes, built) = write_archive_built(&image, flavour);
        let hex = built.layer_digests[0].trim_start_matches("sha256:");
        let (data, size) = member_data(&bytes, &format!("blobs/sha256/{hex}"));
        // Keep the magic bytes (so the layer is still sniffed as compressed) and wreck what
        // follows: gzip's first deflate block gets the reserved block type, zstd's frame
        // header and first block become garbage.
        for b in &mut bytes[data + 10..data + 40.min(size)] {
            *b = 0xff;
        }
        let p = write(dir.path(), &format!("bad.{flavour}.tar"), &bytes);
        check_error(&p, &[], &[what, "layer 0"]);
    }
}

#[test]
fn broken_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let layer =
        imgslim_tests::fixtures::layer_tar(&small_image(Content::Bytes(b"x".to_vec())).layers[0]);
    let missing = tar(&[
        Member::File("manifest.json", manifest("nothere/layer.tar").as_bytes()),
        Member::File("config.json", CONFIG.as_bytes()),
        Member::File("l/layer.tar", &layer),
    ]);
    let p = write(dir.path(), "missing-blob.tar", &missing);
    check_error(&p, &[], &["missing blob", "nothere/layer.tar"]);

    let bad_json = tar(&[
        Member::File(
            "manifest.json",
            b"[{\"Config\": \"config.json\", \"Layers\": [}",
        ),
        Member::File("config.json", CONFIG.as_bytes()),
        Member::File("l/layer.tar", &layer),
    ]);
    let p = write(dir.path(), "bad-json.tar", &bad_json);
    check_error(&p, &[], &["bad JSON", "manifest.json"]);

    let missing_config = tar(&[
        Member::File("manifest.json", manifest("l/layer.tar").as_bytes()),
        Member::File("l/layer.tar", &layer),
    ]);
    let p = write(dir.path(), "missing-config.tar", &missing_config);
    check_error(&p, &[], &["config.json"]);
}

#[test]
fn symlink_loops_in_the_outer_archive() {
    let dir = tempfile::tempdir().unwrap();
    let to_itself = tar(&[
        Member::File("manifest.json", manifest("l/layer.tar").as_bytes()),
        Member::File("config.json", CONFIG.as_bytes()),
        Member::Symlink("l/layer.tar", "layer.tar"),
    ]);
    let p = write(dir.path(), "loop.tar", &to_itself);
    check_error(&p, &[], &["l/layer.tar", "symlink loop"]);
    let two = tar(&[
        Member::File("manifest.json", manifest("a/layer.tar").as_bytes()),
        Member::File("config.json", CONFIG.as_bytes()),
        Member::Symlink("a/layer.tar", "../b/layer.tar"),
        Member::Symlink("b/layer.tar", "../a/layer.tar"),
    ]);
    let p = write(dir.path(), "loop2.tar", &two);
    check_error(&p, &[], &["a/layer.tar", "symlink loop"]);
}

#[test]
fn missing_files_and_directories_that_are_not_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let nothing = dir.path().join("does-not-exist.tar");
    check_error(&nothing, &[], &["cannot open", "no such file"]);
    let empty_dir = dir.path().join("not-a-layout");
    std::fs::create_dir(&empty_dir).unwrap();
    check_error(&empty_dir, &[], &["not an OCI image layout"]);
    let bad_layout = dir.path().join("bad-layout");
    std::fs::create_dir(&bad_layout).unwrap();
    std::fs::write(bad_layout.join("index.json"), b"{\"manifests\": [").unwrap();
    check_error(&bad_layout, &[], &["bad JSON", "index.json"]);
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "secret.tar",
        &write_archive(
            &small_image(Content::Bytes(b"x".to_vec())),
            Flavour::DockerPodman,
        ),
    );
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&p).is_ok() {
        eprintln!("skipping: running as root, so a mode 000 file is still readable");
        return;
    }
    check_error(&p, &[], &["cannot open", "permission denied"]);
}

#[test]
fn gzip_bomb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // 4 MiB of zeros gzip to about 4 KiB: a ratio near 1000, against a limit of 10 once past a
    // 64 KiB floor (the default floor of 1 GiB would make this test slow).
    let image = small_image(Content::Repeat {
        byte: 0,
        len: 4 << 20,
    });
    let bytes = write_archive(&image, Flavour::ContainerdGzip);
    assert!(bytes.len() < 64 << 10, "the bomb should be small");
    let p = write(dir.path(), "bomb.tar", &bytes);
    check_error(
        &p,
        &["--max-expansion", "10", "--expansion-floor", "65536"],
        &["--max-expansion", "layer 0"],
    );
    // The same archive under the default limits is fine.
    let r = common::analyze_json(&p, &[]);
    assert_eq!(r["summary"]["size_bytes"], 4 << 20);
}
