//! `--verify`: every diff_id and blob digest is checked, and a mismatch is an error that names the
//! layer. Without it, the report says which layers were verified.

mod common;

use imgslim_tests::fixtures::{Entry, Flavour, Image, Layer, write_archive};

/// Content that is easy to find (and alter) inside the archive bytes.
const MARKER: &[u8] = b"imgslim-verify-marker-content";

fn image() -> Image {
    Image::new(vec![
        Layer::new(
            "ADD base /",
            vec![
                Entry::dir("etc"),
                Entry::file("etc/os-release", b"ID=test\n".to_vec()),
            ],
        ),
        Layer::new(
            "RUN make",
            vec![Entry::dir("app"), Entry::file("app/data", MARKER.to_vec())],
        ),
    ])
}

/// The archive with one byte of the second layer's file data changed: the tar stays valid, the
/// layer's diff_id no longer matches.
fn tampered(flavour: Flavour) -> Vec<u8> {
    let mut bytes = write_archive(&image(), flavour);
    let at = bytes
        .windows(MARKER.len())
        .position(|w| w == MARKER)
        .expect("marker in an uncompressed archive");
    bytes[at] ^= 0x20;
    bytes
}

#[test]
fn verify_checks_every_layer_of_an_intact_archive() {
    let dir = tempfile::tempdir().unwrap();
    for flavour in [
        Flavour::DockerLegacy,
        Flavour::Docker25,
        Flavour::ContainerdGzip,
    ] {
        let path = dir.path().join(format!("{flavour}.tar"));
        std::fs::write(&path, write_archive(&image(), flavour)).unwrap();
        let r = common::analyze_json(&path, &["--verify"]);
        assert_eq!(r["summary"]["verified_layers"], 2, "{flavour}");
        assert!(
            r["layers"]
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["verified"] == true),
            "{flavour}"
        );
        let plain = common::analyze_json(&path, &[]);
        assert_eq!(
            plain["summary"]["verified_layers"], 0,
            "{flavour}: nothing is verified unless asked"
        );
    }
}

#[test]
fn verify_names_the_layer_whose_digest_does_not_match() {
    let dir = tempfile::tempdir().unwrap();
    for flavour in [Flavour::DockerLegacy, Flavour::Docker25] {
        let path = dir.path().join(format!("{flavour}.tar"));
        std::fs::write(&path, tampered(flavour)).unwrap();
        let out = common::run(
            &common::args(&[
                "analyze",
                "--verify",
                "--format",
                "json",
                path.to_str().unwrap(),
            ]),
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{flavour}");
        assert!(out.stdout.is_empty(), "{flavour}: no partial report");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{flavour}: {err}");
        assert!(err.starts_with("imgslim: error: "), "{err}");
        assert!(
            err.contains("layer 1") && err.contains("digest mismatch"),
            "{flavour}: {err}"
        );
        // Without --verify the digest is not computed, so the analysis goes on.
        let r = common::analyze_json(&path, &[]);
        assert_eq!(r["summary"]["verified_layers"], 0);
    }
}
