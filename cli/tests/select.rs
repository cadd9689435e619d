//! `--image` and `--platform`: archives with several images or platforms are an error that lists
//! the choices until one is picked.

mod common;

use std::path::Path;
use std::process::Output;

use imgslim_tests::fixtures::{
    Compression, Config, Entry, Flavour, Image, IndexStyle, Layer, Options, write_images,
    write_multi_platform_to,
};

fn image(tag: &str, file: &str, len: usize, config: Config) -> Image {
    Image {
        layers: vec![Layer::new(
            &format!("ADD {file}"),
            vec![Entry::file(file, vec![b'x'; len])],
        )],
        config,
        repo_tags: vec![tag.to_owned()],
    }
}

fn analyze(path: &Path, extra: &[&str]) -> Output {
    let mut a = vec!["analyze", "--no-progress", "--format", "json"];
    let p = path.to_str().unwrap();
    a.push(p);
    a.extend_from_slice(extra);
    common::run(&common::args(&a), None)
}

/// Exit 2 and exactly one `imgslim: error:` line mentioning every needle.
fn assert_error(out: &Output, needles: &[&str]) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(out.stdout.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("imgslim: error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} missing from {err}");
    }
    err
}

fn report(out: &Output) -> serde_json::Value {
    common::assert_ok(out, "analyze");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn two_images_in_one_archive_need_image() {
    let one = image("app/one:1.0", "one", 100, Config::default());
    let two = image("app/two:2.0", "two", 200, Config::default());
    let dir = tempfile::tempdir().unwrap();
    for flavour in [
        Flavour::DockerLegacy,
        Flavour::DockerPodman,
        Flavour::Docker25,
        Flavour::OciArchive(Compression::Gzip),
    ] {
        let path = dir.path().join(format!("two.{flavour}.tar"));
        std::fs::write(
            &path,
            write_images(&[one.clone(), two.clone()], flavour, &Options::default()),
        )
        .unwrap();
        let err = assert_error(&analyze(&path, &[]), &["two.", "--image", "one", "two"]);
        assert!(err.contains("2 images"), "{flavour}: {err}");

        for (wanted, size) in [("app/one:1.0", 100), ("app/two:2.0", 200)] {
            let r = report(&analyze(&path, &["--image", wanted]));
            assert_eq!(r["summary"]["size_bytes"], size, "{flavour} {wanted}");
            // podman spells the name with its registry: docker.io/app/one:1.0.
            let tag = r["image"]["repo_tags"][0].as_str().unwrap_or_default();
            assert!(tag.ends_with(wanted), "{flavour}: {tag}");
        }
        // The long spelling keeps working.
        let r = report(&analyze(&path, &["--image-name", "app/two:2.0"]));
        assert_eq!(r["summary"]["size_bytes"], 200, "{flavour}");

        assert_error(
            &analyze(&path, &["--image", "app/three:3"]),
            &["app/three:3", "one", "two"],
        );
    }
}

#[test]
fn two_platforms_need_platform() {
    let amd = image("app/multi:1", "amd", 100, Config::default());
    let arm = image(
        "app/multi:1",
        "arm",
        300,
        Config {
            architecture: "arm64".into(),
            variant: Some("v8".into()),
            ..Config::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    for style in [IndexStyle::Nested, IndexStyle::Flat] {
        let path = dir.path().join(format!("multi-{style:?}.oci.tar"));
        let mut bytes = Vec::new();
        let options = Options {
            index_style: style,
            ..Options::default()
        };
        write_multi_platform_to(
            &[amd.clone(), arm.clone()],
            Compression::Gzip,
            &options,
            &mut bytes,
        )
        .unwrap();
        std::fs::write(&path, bytes).unwrap();

        assert_error(
            &analyze(&path, &[]),
            &["oci.tar", "--platform", "linux/amd64", "linux/arm64/v8"],
        );
        let r = report(&analyze(&path, &["--platform", "linux/arm64"]));
        assert_eq!(r["image"]["platform"]["architecture"], "arm64", "{style:?}");
        assert_eq!(r["summary"]["size_bytes"], 300, "{style:?}");
        let r = report(&analyze(&path, &["--platform", "linux/amd64"]));
        assert_eq!(r["image"]["platform"]["architecture"], "amd64", "{style:?}");
        assert_eq!(r["summary"]["size_bytes"], 100, "{style:?}");
        assert_error(
            &analyze(&path, &["--platform", "linux/s390x"]),
            &["linux/s390x", "linux/amd64", "linux/arm64/v8"],
        );
    }
}
