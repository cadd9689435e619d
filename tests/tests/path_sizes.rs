//! The report's path summary (`Report.paths`) and the exact diff of two trees: deleted and
//! overwritten files, `rm -rf`, opaque directories, hard links, depth and caps.

mod common;

use common::analyze_image;
use imgslim_core::diff::{DiffOptions, PathStatus, Side, diff};
use imgslim_core::report::paths::{PathLimits, PathSize, PathSizes};
use imgslim_tests::fixtures::{Content, Entry, Image, Layer};

fn file(path: &str, len: u64) -> Entry {
    Entry::file_with(path, Content::Repeat { byte: b'x', len }, 0o644)
}

fn sizes(list: &[PathSize]) -> Vec<(&str, u64)> {
    list.iter().map(|p| (p.path.as_str(), p.bytes)).collect()
}

fn image() -> Image {
    Image::new(vec![
        Layer::new(
            "ADD base",
            vec![
                Entry::dir("a"),
                Entry::dir("a/b"),
                Entry::dir("a/b/c"),
                Entry::dir("a/b/c/d"),
                Entry::dir("a/b/c/d/e"),
                file("a/b/c/d/e/deep", 10_000),
                file("a/small", 100),
                file("a/over", 5_000),
                Entry::dir("cache"),
                file("cache/x", 8_000),
                Entry::dir("opq"),
                file("opq/old", 6_000),
            ],
        ),
        Layer::new(
            "RUN stuff",
            vec![
                Entry::dir("a"),
                file("a/over", 7_000),
                // A hard link counts 0: its data counts at the name that stores it.
                Entry::hardlink("a/link", "a/over"),
                Entry::whiteout("cache"),
                Entry::dir("opq"),
                Entry::opaque("opq"),
                file("opq/new", 4_096),
            ],
        ),
    ])
}

#[test]
fn report_lists_large_files_and_directory_totals() {
    let a = analyze_image(&image());
    let p = &a.report.paths;
    assert_eq!(p.min_file_bytes, 4096);
    assert_eq!(p.dir_depth, 4);
    assert!(!p.truncated);
    // Largest first; /a/small is under 4 KiB; /cache/x and /opq/old are gone.
    assert_eq!(
        sizes(&p.files),
        vec![
            ("/a/b/c/d/e/deep", 10_000),
            ("/a/over", 7_000),
            ("/opq/new", 4_096)
        ]
    );
    assert_eq!(p.files[1].layer, Some(1));
    assert_eq!(p.files[0].layer, Some(0));
    // Directories to depth 4 (/a/b/c/d is 4, /a/b/c/d/e is 5), with every file below them.
    assert_eq!(
        sizes(&p.dirs),
        vec![
            ("/a", 17_100),
            ("/a/b", 10_000),
            ("/a/b/c", 10_000),
            ("/a/b/c/d", 10_000),
            ("/opq", 4_096)
        ]
    );
    // It survives the JSON round trip.
    let json = serde_json::to_string(&a.report).unwrap();
    let back = imgslim_core::Report::from_json(&json).unwrap();
    assert_eq!(back.paths, *p);
}

#[test]
fn caps_keep_the_largest() {
    let a = analyze_image(&image());
    let p = PathSizes::from_tree(
        &a.tree,
        PathLimits {
            min_file_bytes: 0,
            max_files: 2,
            dir_depth: 1,
            max_dirs: 10,
        },
    );
    assert!(p.truncated);
    assert_eq!(
        sizes(&p.files),
        vec![("/a/b/c/d/e/deep", 10_000), ("/a/over", 7_000)]
    );
    assert_eq!(sizes(&p.dirs), vec![("/a", 17_100), ("/opq", 4_096)]);
}

fn tree_side(a: &imgslim_core::Analysis) -> Side<'_> {
    Side {
        report: &a.report,
        tree: Some(&a.tree),
    }
}

fn report_side(a: &imgslim_core::Analysis) -> Side<'_> {
    Side {
        report: &a.report,
        tree: None,
    }
}

#[test]
fn exact_diff_of_two_trees() {
    let old = analyze_image(&image());
    let mut grown = image();
    grown.layers.push(Layer::new(
        "RUN more",
        vec![
            Entry::dir("a"),
            file("a/small", 200),
            Entry::whiteout("a/b"),
            Entry::dir("tools"),
            file("tools/cc", 50_000),
        ],
    ));
    let new = analyze_image(&grown);
    let d = diff(tree_side(&old), tree_side(&new), DiffOptions::default());
    assert!(d.exact_paths);
    let files: Vec<(&str, PathStatus, i64)> = d
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.status, f.size_bytes.change))
        .collect();
    // Small files are compared too when both trees are there.
    assert_eq!(
        files,
        vec![
            ("/tools/cc", PathStatus::Added, 50_000),
            ("/a/b/c/d/e/deep", PathStatus::Removed, -10_000),
            ("/a/small", PathStatus::Changed, 100),
        ]
    );
    assert_eq!(d.file_totals.removed.bytes, 10_000);
    let dirs: Vec<&str> = d.grown_dirs(5).iter().map(|x| x.path.as_str()).collect();
    assert_eq!(dirs, vec!["/tools"]);
    assert_eq!(d.layers.last().unwrap().new, Some(2));

    // The same diff from the saved reports only sees files of 4 KiB or more.
    let d = diff(report_side(&old), report_side(&new), DiffOptions::default());
    assert!(!d.exact_paths);
    let files: Vec<&str> = d.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(files, vec!["/tools/cc", "/a/b/c/d/e/deep"]);
}
