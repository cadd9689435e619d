//! `--list-limit` caps every list of the report, the paths of one duplicate group included (an
//! image with a million identical files is one group), while the counts stay whole.

mod common;

use imgslim_tests::fixtures::{Entry, Flavour, Image, Layer, write_archive};

#[test]
fn a_duplicate_groups_paths_are_cut_to_the_list_limit_but_counted_whole() {
    let mut entries = vec![Entry::dir("data")];
    for i in 0..7 {
        entries.push(Entry::file(
            &format!("data/copy{i}"),
            b"same bytes".to_vec(),
        ));
    }
    let image = Image::new(vec![Layer::new("COPY data /data", entries)]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dups.tar");
    std::fs::write(&path, write_archive(&image, Flavour::DockerLegacy)).unwrap();

    let r = common::analyze_json(&path, &["--list-limit", "3"]);
    let group = &r["duplicates"][0];
    assert_eq!(group["copies"], 7);
    assert_eq!(group["paths"].as_array().unwrap().len(), 3);
    assert_eq!(group["saved_bytes"], 6 * 10);
    assert_eq!(r["summary"]["duplicate_bytes"], 60);

    let text = common::run(
        &common::args(&["analyze", "--list-limit", "3", path.to_str().unwrap()]),
        None,
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("7 copies of 10 B"), "{text}");
    assert!(text.contains("and 4 more"), "{text}");
}
