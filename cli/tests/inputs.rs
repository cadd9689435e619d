//! Every way of handing imgslim one image gives the same figures: each archive flavour, an OCI
//! layout directory, stdin, and a gzip-compressed whole archive. The figures are also checked
//! against values computed by hand for the image below.

mod common;

use std::io::Write;

use imgslim_tests::fixtures::{
    Compression, Content, Entry, Image, Layer, LongNames, RawHeader, all_flavours, write_archive,
    write_oci_dir,
};
use serde_json::{Value, json};

fn rep(byte: u8, len: u64) -> Content {
    Content::Repeat { byte, len }
}

fn file(path: &str, content: Content) -> Entry {
    Entry::file_with(path, content, 0o644)
}

/// Three layers with whiteouts, an opaque directory, hardlinks, a symlink, a file replaced by a
/// directory and back, a GNU long name, a PAX long name and a non-UTF-8 name.
fn kitchen_sink() -> Image {
    let long_gnu = format!("long/{}", "n".repeat(120));
    let long_pax = format!("paxlong/{}", "p".repeat(130));
    let layer0 = Layer::new(
        "ADD base",
        vec![
            Entry::dir("etc"),
            file("etc/a", rep(b'a', 100)),
            file("etc/b", rep(b'b', 200)),
            Entry::dir("opt"),
            Entry::dir("opt/d"),
            file("opt/d/x", rep(b'x', 300)),
            file("opt/d/y", rep(b'y', 400)),
            Entry::dir("data"),
            file("data/h1", Content::Pseudo { seed: 1, len: 500 }),
            Entry::hardlink("data/h2", "data/h1"),
            Entry::symlink("link", "etc/b"),
            file("swap", rep(b's', 50)),
            Entry::dir("long"),
            file(&long_gnu, rep(b'l', 60)),
            Entry::Raw {
                header: RawHeader {
                    name: b"odd/caf\xe9".to_vec(),
                    ..RawHeader::default()
                },
                data: vec![b'o'; 70],
            },
        ],
    )
    .with_long_names(LongNames::Gnu);
    let layer1 = Layer::new(
        "RUN change things",
        vec![
            Entry::whiteout("etc/a"),
            file("etc/b", rep(b'B', 250)),
            Entry::opaque("opt/d"),
            file("opt/d/z", rep(b'z', 30)),
            Entry::whiteout("data/h1"),
            Entry::dir("swap"),
            file("swap/inner", rep(b'i', 10)),
            Entry::dir("paxlong"),
            file(&long_pax, rep(b'p', 80)),
        ],
    )
    .with_long_names(LongNames::Pax);
    let layer2 = Layer::new(
        "RUN swap back",
        vec![
            file("swap", rep(b'S', 55)),
            file("dup1", Content::Pseudo { seed: 7, len: 64 }),
            file("dup2", Content::Pseudo { seed: 7, len: 64 }),
        ],
    );
    Image::new(vec![layer0, layer1, layer2])
}

fn counts(files: u64, bytes: u64) -> Value {
    json!({ "files": files, "bytes": bytes })
}

/// The figures worked out by hand from the layers above.
fn expected_summary() -> Value {
    json!({
        // Header sizes of every entry: layer 0 = 100+200+300+400+500+60+70+50 = 1680 (hardlink,
        // symlink, dirs 0); layer 1 = 250+30+10+80 = 370 (whiteouts and the opaque marker 0);
        // layer 2 = 55+64+64 = 183.
        "size_bytes": 2233,
        // Live data: etc/b 250, opt/d/z 30, data/h1's content 500 (through data/h2), swap 55,
        // the GNU long name 60, odd/caf\xe9 70, the PAX long name 80, dup1 64, dup2 64.
        "final_bytes": 1173,
        // etc/b, link, opt/d/z, data/h2, swap, long/n…, odd/caf\xe9, paxlong/p…, dup1, dup2.
        "final_files": 10,
        "layer_count": 3,
        // dive's per-path tallies (a whiteout of a file counts 0): /etc/a 100+0, /etc/b 200+250,
        // /data/h1 500+0 and /swap 50+55 are seen twice: 100+450+500+105 = 1155. Σ min over
        // all paths = 1328 (0+200+300+400+0+0+0+50+60+70+30+10+80+64+64), Σ total = 2233.
        "efficiency_score": 1328.0 / 2233.0,
        "inefficient_bytes": 1155,
        // 1155 over the size of the layers after the first (370 + 183).
        "user_wasted_ratio": 1155.0 / 553.0,
        // etc/a 100 (deleted), etc/b's first 200 (overwritten), opt/d/x 300 and opt/d/y 400
        // (opaque), swap's first 50 (overwritten by the directory), swap/inner 10 (replaced by
        // the file). data/h1 is still live as data/h2. 2233 stored − 1173 final = 1060.
        "reclaimable_bytes": 1060,
        "reclaimable_files": 6,
        // dup1 = dup2 (64 bytes); the hardlink data/h2 is the same content, not a duplicate.
        "duplicate_bytes": 64,
        "duplicate_groups": 1,
    })
}

fn expected_layers() -> Value {
    json!([
        {
            "index": 0, "size_bytes": 1680, "command": "ADD base",
            // Ten non-directories: five files, the hardlink, the symlink, swap, two odd names.
            "files": 10,
            "added": counts(10, 1680), "modified": counts(0, 0), "removed": counts(0, 0),
        },
        {
            "index": 1, "size_bytes": 370, "command": "RUN change things",
            "files": 4,
            // opt/d/z 30, swap/inner 10, paxlong/p… 80.
            "added": counts(3, 120),
            // etc/b rewritten (250). swap turned into a directory is not a file change.
            "modified": counts(1, 250),
            // etc/a 100, opt/d/x 300, opt/d/y 400 (opaque), data/h1 500 (its name).
            "removed": counts(4, 1300),
        },
        {
            "index": 2, "size_bytes": 183, "command": "RUN swap back",
            "files": 3,
            "added": counts(2, 128),
            // swap: directory → file of 55 bytes; its child swap/inner (10) goes.
            "modified": counts(1, 55),
            "removed": counts(1, 10),
        },
    ])
}

fn compare(what: &str, got: &Value, want: &Value) {
    assert_eq!(got, want, "{what}: figures differ");
}

#[test]
fn every_input_kind_gives_the_hand_computed_figures() {
    let image = kitchen_sink();
    let dir = tempfile::tempdir().unwrap();
    let mut reports: Vec<(String, Value)> = Vec::new();

    for flavour in all_flavours() {
        let path = dir.path().join(format!("sink.{flavour}.tar"));
        std::fs::write(&path, write_archive(&image, flavour)).unwrap();
        reports.push((flavour.to_string(), common::analyze_json(&path, &[])));
    }

    // An OCI layout directory.
    let layout = dir.path().join("sink.oci-dir");
    write_oci_dir(&image, Compression::Gzip, &layout).unwrap();
    reports.push(("oci-dir".into(), common::analyze_json(&layout, &[])));

    // stdin, read in one pass.
    let docker = write_archive(&image, imgslim_tests::fixtures::Flavour::DockerPodman);
    let out = common::run(
        &common::args(&["analyze", "--no-progress", "--format", "json", "-"]),
        Some(&docker),
    );
    common::assert_ok(&out, "stdin");
    reports.push(("stdin".into(), serde_json::from_slice(&out.stdout).unwrap()));

    // `docker save | gzip`: a compressed whole archive, from a file and from stdin.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&docker).unwrap();
    let gz = gz.finish().unwrap();
    let gz_path = dir.path().join("sink.tar.gz");
    std::fs::write(&gz_path, &gz).unwrap();
    reports.push(("tar.gz".into(), common::analyze_json(&gz_path, &[])));
    let out = common::run(
        &common::args(&["analyze", "--no-progress", "--format", "json", "-"]),
        Some(&gz),
    );
    common::assert_ok(&out, "gzip stdin");
    reports.push((
        "tar.gz stdin".into(),
        serde_json::from_slice(&out.stdout).unwrap(),
    ));

    let (first_name, first) = &reports[0];
    let first = common::figures(first);
    compare(first_name, &first["summary"], &expected_summary());
    compare(first_name, &first["layers"], &expected_layers());
    for (name, r) in &reports[1..] {
        assert_eq!(
            common::figures(r),
            first,
            "{name} differs from {first_name}"
        );
    }

    // The lists behind the totals, by hand too.
    let wasted: Vec<(String, u64, String)> = first["wasted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["path"].as_str().unwrap().to_owned(),
                w["bytes"].as_u64().unwrap(),
                w["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let w = |p: &str, b: u64, r: &str| (p.to_owned(), b, r.to_owned());
    assert_eq!(
        wasted,
        vec![
            w("/opt/d/y", 400, "hidden-by-opaque-dir"),
            w("/opt/d/x", 300, "hidden-by-opaque-dir"),
            w("/etc/b", 200, "overwritten"),
            w("/etc/a", 100, "deleted"),
            w("/swap", 50, "overwritten"),
            w("/swap/inner", 10, "replaced"),
        ]
    );
    let dups = first["duplicates"].as_array().unwrap();
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0]["paths"], json!(["/dup1", "/dup2"]));
    assert_eq!(dups[0]["saved_bytes"], 64);
}

#[test]
fn verify_and_stdin_measure_the_same_layer_bytes() {
    // Reading every byte (--verify) or reading once (stdin) must not change what a plain layer
    // measures: the whole blob, end-of-archive blocks included.
    let image = kitchen_sink();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sink.tar");
    let bytes = write_archive(&image, imgslim_tests::fixtures::Flavour::DockerPodman);
    std::fs::write(&path, &bytes).unwrap();
    let sizes = |r: &Value| -> Value {
        json!({
            "stored": r["summary"]["stored_bytes"],
            "uncompressed": r["summary"]["uncompressed_bytes"],
            "layers": r["layers"].as_array().unwrap().iter()
                .map(|l| l["uncompressed_bytes"].clone()).collect::<Vec<_>>(),
        })
    };
    let plain = sizes(&common::analyze_json(&path, &[]));
    let verified = common::analyze_json(&path, &["--verify"]);
    assert_eq!(verified["summary"]["verified_layers"], 3);
    assert_eq!(sizes(&verified), plain, "--verify");
    let out = common::run(
        &common::args(&["analyze", "--no-progress", "--format", "json", "-"]),
        Some(&bytes),
    );
    common::assert_ok(&out, "stdin");
    let streamed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sizes(&streamed), plain, "stdin");
    assert_eq!(plain["stored"], bytes_of_layers(&image));
}

/// The layer tars' sizes as the fixture builder writes them.
fn bytes_of_layers(image: &Image) -> u64 {
    image
        .layers
        .iter()
        .map(|l| imgslim_tests::fixtures::layer_tar(l).len() as u64)
        .sum()
}
