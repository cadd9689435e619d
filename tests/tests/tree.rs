//! Merge edge cases, asserted on the merged tree and on the report: whiteouts, `rm -rf`, opaque
//! directories, hardlinks, type replacements, same-layer whiteouts, escaping paths, PAX global
//! headers, duplicates, a layer listed twice, and history with `empty_layer` entries.

mod common;

use common::{analyze_bytes, analyze_image, assert_no_live_orphans, live, node, warnings_of};
use imgslim_core::tree::{Change, RemovedBy, VersionKind};
use imgslim_core::{Kind, WarningKind, WasteReason};
use imgslim_tests::fixtures::{
    Compression, Config, Content, Entry, Flavour, History, Image, Layer, RawHeader, sha256_digest,
    write_archive,
};

fn rep(byte: u8, len: u64) -> Content {
    Content::Repeat { byte, len }
}

fn file(path: &str, len: u64) -> Entry {
    Entry::file_with(path, rep(b'f', len), 0o644)
}

fn pseudo(path: &str, seed: u64, len: u64) -> Entry {
    Entry::file_with(path, Content::Pseudo { seed, len }, 0o644)
}

fn raw(name: &[u8], len: usize) -> Entry {
    Entry::Raw {
        header: RawHeader {
            name: name.to_vec(),
            ..RawHeader::default()
        },
        data: vec![b'r'; len],
    }
}

/// (path, bytes, reason, by_layer) of the report's wasted files.
fn wasted(a: &imgslim_core::Analysis) -> Vec<(String, u64, WasteReason, usize)> {
    a.report
        .wasted
        .iter()
        .map(|w| (w.path.clone(), w.bytes, w.reason, w.by_layer))
        .collect()
}

/// Kinds of a node's versions, newest first, with their layers.
fn history_of(t: &imgslim_core::tree::FileTree, path: &str) -> Vec<(u16, VersionKind)> {
    t.versions(node(t, path))
        .map(|(_, v)| (v.layer, v.kind))
        .collect()
}

#[test]
fn whiteout_of_a_file() {
    let a = analyze_image(&Image::new(vec![
        Layer::new(
            "add",
            vec![Entry::dir("a"), file("a/f", 10), file("a/g", 3)],
        ),
        Layer::new("rm", vec![Entry::whiteout("a/f")]),
    ]));
    let t = &a.tree;
    let f = node(t, "/a/f");
    assert!(t.live_final(f).is_none());
    assert!(live(t, "/a/g"));
    assert_eq!(
        history_of(t, "/a/f"),
        vec![
            (1, VersionKind::Removed(RemovedBy::Whiteout)),
            (0, VersionKind::Entry(Kind::File)),
        ]
    );
    assert_eq!(t.change_in(f, 0), Change::Added);
    assert_eq!(t.change_in(f, 1), Change::Removed);
    assert_eq!(t.path(f), b"/a/f");
    assert_eq!(
        wasted(&a),
        vec![("/a/f".into(), 10, WasteReason::Deleted, 1)]
    );
    assert_eq!(a.report.summary.reclaimable_bytes, 10);
    assert_eq!(a.report.layers[1].removed.files, 1);
    assert_eq!(a.report.layers[1].removed.bytes, 10);
    // dive counts a whiteout of a file as a second sighting of size 0: 10 inefficient bytes.
    assert_eq!(a.report.summary.inefficient_bytes, Some(10));
}

#[test]
fn rm_rf_of_a_directory_counts_every_file_below() {
    // `RUN rm -rf /d` writes one whiteout for the directory; dive only looks at the whiteout
    // itself, which is seen once, so it reports nothing wasted.
    let a = analyze_image(&Image::new(vec![
        Layer::new(
            "add",
            vec![
                Entry::dir("d"),
                file("d/1", 10),
                file("d/2", 20),
                file("d/3", 30),
                Entry::dir("d/sub"),
                file("d/sub/4", 40),
                Entry::symlink("d/sub/l", "../1"),
                file("keep", 5),
            ],
        ),
        Layer::new("rm -rf /d", vec![Entry::whiteout("d")]),
    ]));
    let t = &a.tree;
    for p in [
        "/d", "/d/1", "/d/2", "/d/3", "/d/sub", "/d/sub/4", "/d/sub/l",
    ] {
        assert!(!live(t, p), "{p} should be gone");
        assert_eq!(
            t.versions(node(t, p)).next().unwrap().1.kind,
            VersionKind::Removed(RemovedBy::Whiteout),
            "{p}"
        );
    }
    assert!(live(t, "/keep"));
    assert_no_live_orphans(t);
    let s = &a.report.summary;
    assert_eq!(s.reclaimable_bytes, 100);
    assert_eq!(s.reclaimable_files, 4);
    assert!(
        a.report
            .wasted
            .iter()
            .all(|w| w.reason == WasteReason::Deleted && w.by_layer == 1)
    );
    assert_eq!(
        s.inefficient_bytes,
        Some(0),
        "dive's blind spot, reproduced"
    );
    // Four files and the symlink were removed.
    assert_eq!(a.report.layers[1].removed.files, 5);
    assert_eq!(a.report.layers[1].removed.bytes, 100);
}

#[test]
fn opaque_directory_hides_lower_entries_but_not_its_own_layer() {
    let a = analyze_image(&Image::new(vec![
        Layer::new(
            "add",
            vec![
                Entry::dir("o"),
                file("o/a", 10),
                Entry::dir("o/deep"),
                file("o/deep/b", 20),
                file("outside", 1),
            ],
        ),
        Layer::new(
            "opaque",
            vec![
                Entry::dir("o"),
                // Before the marker in archive order: it must survive all the same.
                file("o/before", 5),
                Entry::opaque("o"),
                file("o/after", 7),
            ],
        ),
    ]));
    let t = &a.tree;
    assert!(live(t, "/o"));
    assert!(live(t, "/o/before"));
    assert!(live(t, "/o/after"));
    assert!(live(t, "/outside"));
    for p in ["/o/a", "/o/deep", "/o/deep/b"] {
        assert!(!live(t, p), "{p}");
        assert_eq!(
            history_of(t, p)[0],
            (1, VersionKind::Removed(RemovedBy::Opaque)),
            "{p}"
        );
    }
    assert_no_live_orphans(t);
    assert_eq!(
        wasted(&a),
        vec![
            ("/o/deep/b".into(), 20, WasteReason::HiddenByOpaqueDir, 1),
            ("/o/a".into(), 10, WasteReason::HiddenByOpaqueDir, 1),
        ]
    );
    assert_eq!(a.report.summary.final_bytes, 1 + 5 + 7);
}

#[test]
fn hardlinks_keep_data_until_the_last_name_goes() {
    let a = analyze_image(&Image::new(vec![
        Layer::new(
            "add",
            vec![
                pseudo("a1", 1, 100),
                Entry::hardlink("a2", "a1"),
                pseudo("b1", 2, 200),
                Entry::hardlink("b2", "b1"),
                Entry::hardlink("b3", "b1"),
            ],
        ),
        Layer::new(
            "rm",
            vec![
                // The first name of a goes; a2 still holds the data.
                Entry::whiteout("a1"),
                // Every name of b goes: its 200 bytes are reclaimable, once.
                Entry::whiteout("b1"),
                Entry::whiteout("b2"),
                Entry::whiteout("b3"),
            ],
        ),
    ]));
    let t = &a.tree;
    assert!(!live(t, "/a1"));
    let a2 = t.live_final(node(t, "/a2")).expect("a2 is live");
    let c = a2.content().expect("a hardlink names its target's content");
    assert_eq!(t.content(c).size, 100);
    assert_eq!(t.content(c).layer, 0);
    let s = &a.report.summary;
    assert_eq!(s.final_bytes, 100);
    assert_eq!(s.final_files, 1);
    assert_eq!(s.reclaimable_bytes, 200);
    assert_eq!(s.reclaimable_files, 1);
    assert_eq!(a.report.wasted.len(), 1);
    assert_eq!(a.report.wasted[0].path, "/b1");
    assert_eq!(a.report.wasted[0].reason, WasteReason::Deleted);
    // Hardlinks share one content: never a duplicate group.
    assert_eq!(s.duplicate_groups, 0);
}

#[test]
fn file_replaced_by_a_directory_and_back() {
    let a = analyze_image(&Image::new(vec![
        Layer::new("file", vec![file("p", 10)]),
        Layer::new("dir", vec![Entry::dir("p"), file("p/c", 3)]),
        Layer::new("file again", vec![file("p", 20)]),
    ]));
    let t = &a.tree;
    let p = node(t, "/p");
    assert_eq!(
        history_of(t, "/p"),
        vec![
            (2, VersionKind::Entry(Kind::File)),
            (1, VersionKind::Entry(Kind::Dir)),
            (0, VersionKind::Entry(Kind::File)),
        ]
    );
    assert_eq!(
        history_of(t, "/p/c"),
        vec![
            (2, VersionKind::Removed(RemovedBy::Replaced)),
            (1, VersionKind::Entry(Kind::File)),
        ]
    );
    assert_eq!(t.change_in(p, 1), Change::Modified);
    assert_eq!(t.change_in(p, 2), Change::Modified);
    assert_eq!(t.change_in(node(t, "/p/c"), 2), Change::Removed);
    assert!(t.live_at(p, 1).unwrap().is_dir());
    assert_eq!(t.live_final(p).unwrap().size, 20);
    assert_no_live_orphans(t);
    assert_eq!(
        wasted(&a),
        vec![
            ("/p".into(), 10, WasteReason::Overwritten, 1),
            ("/p/c".into(), 3, WasteReason::Replaced, 2),
        ]
    );
    assert_eq!(a.report.summary.final_bytes, 20);
}

#[test]
fn whiteout_in_the_same_layer_applies_to_lower_layers_only() {
    let a = analyze_image(&Image::new(vec![
        Layer::new("base", vec![file("w1", 10), file("w2", 11)]),
        Layer::new(
            "same layer",
            vec![
                // File first, then its whiteout: the whiteout deletes the lower w1 only.
                file("w1", 15),
                Entry::whiteout("w1"),
                // Whiteout first, then the file.
                Entry::whiteout("w2"),
                file("w2", 16),
                // Nothing below to delete: a warning, and the new file stays.
                file("n", 4),
                Entry::whiteout("n"),
            ],
        ),
    ]));
    let t = &a.tree;
    for (p, size) in [("/w1", 15), ("/w2", 16), ("/n", 4)] {
        let v = t
            .live_final(node(t, p))
            .unwrap_or_else(|| panic!("{p} live"));
        assert_eq!((v.layer, v.size), (1, size), "{p}");
    }
    // w1 and w2 of layer 0 are gone: deleted by the whiteout, then written again.
    assert_eq!(a.report.summary.reclaimable_bytes, 21);
    assert_eq!(a.report.summary.final_bytes, 35);
    let missing = warnings_of(&a, WarningKind::WhiteoutOfMissingPath);
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].contains('n'), "{missing:?}");
}

#[test]
fn paths_escaping_the_root_are_never_applied() {
    let a = analyze_image(&Image::new(vec![
        Layer::new(
            "hostile",
            vec![
                raw(b"../escape", 10),
                raw(b"a/../../up", 11),
                raw(b"/abs/file", 12),
                raw(b"./dot/file", 13),
            ],
        ),
        Layer::new("more", vec![raw(b"../.wh.abs", 0)]),
    ]));
    let t = &a.tree;
    let esc = warnings_of(&a, WarningKind::PathEscapesRoot);
    assert_eq!(esc.len(), 2, "one warning per layer: {esc:?}");
    assert!(
        esc[0].contains("../escape") && esc[0].contains("../up"),
        "{esc:?}"
    );
    // Absolute names are taken relative to the root, as Docker's applier does.
    assert!(live(t, "/abs/file"));
    assert!(
        live(t, "/abs"),
        "the escaping whiteout must not delete /abs"
    );
    assert!(live(t, "/dot/file"));
    assert!(t.lookup(b"/escape").is_none());
    assert!(t.lookup(b"/up").is_none());
    for n in t.node_ids() {
        assert_ne!(t.name(n), b"..", "a .. node at {}", t.path_string(n));
    }
    assert_eq!(a.report.summary.final_bytes, 12 + 13);
}

#[test]
fn pax_global_header_is_a_warning_and_nulls_dive_figures() {
    let a = analyze_image(&Image::new(vec![
        Layer::new(
            "git archive",
            vec![
                Entry::PaxGlobal {
                    records: vec![("comment".into(), b"0123456789abcdef".to_vec())],
                },
                file("x", 10),
            ],
        ),
        Layer::new("rm", vec![Entry::whiteout("x")]),
    ]));
    assert!(!warnings_of(&a, WarningKind::PaxGlobalHeader).is_empty());
    let s = &a.report.summary;
    assert_eq!(s.efficiency_score, None);
    assert_eq!(s.inefficient_bytes, None);
    assert_eq!(s.user_wasted_ratio, None);
    assert!(a.report.dive_inefficiencies.is_empty());
    // Our own figures do not depend on dive's refusal.
    assert_eq!(s.reclaimable_bytes, 10);
    assert!(!live(&a.tree, "/pax_global_header"));
}

#[test]
fn duplicates_are_grouped_by_sha256_and_hardlinks_are_not_duplicates() {
    let a = analyze_image(&Image::new(vec![
        Layer::new(
            "one",
            vec![
                pseudo("x1", 3, 1000),
                pseudo("x2", 3, 1000),
                Entry::hardlink("x4", "x1"),
                // Same size, other bytes: hashed, not grouped.
                pseudo("y", 4, 1000),
                pseudo("small1", 5, 10),
                pseudo("small2", 5, 10),
            ],
        ),
        Layer::new("two", vec![Entry::dir("sub"), pseudo("sub/x3", 3, 1000)]),
    ]));
    let d = &a.report.duplicates;
    assert_eq!(d.len(), 2, "{d:?}");
    let want = sha256_digest(&Content::Pseudo { seed: 3, len: 1000 }.to_vec());
    assert_eq!(d[0].sha256, want);
    assert_eq!(d[0].size, 1000);
    assert_eq!(d[0].paths, vec!["/sub/x3", "/x1", "/x2"]);
    assert_eq!(d[0].saved_bytes, 2000);
    assert_eq!(d[1].paths, vec!["/small1", "/small2"]);
    assert_eq!(d[1].saved_bytes, 10);
    assert_eq!(a.report.summary.duplicate_bytes, 2010);
    assert_eq!(a.report.summary.duplicate_groups, 2);
}

#[test]
fn the_same_layer_listed_twice() {
    let l = Layer::new(
        "same",
        vec![Entry::dir("s"), file("s/a", 30), file("s/b", 70)],
    );
    let image = Image::new(vec![l.clone(), l]);
    for flavour in [
        Flavour::DockerPodman,
        Flavour::Docker25,
        Flavour::OciArchive(Compression::Gzip),
    ] {
        let a = analyze_bytes(write_archive(&image, flavour));
        let s = &a.report.summary;
        assert_eq!(s.layer_count, 2, "{flavour}");
        assert_eq!(a.report.layers[0].diff_id, a.report.layers[1].diff_id);
        assert_eq!(s.size_bytes, 200, "{flavour}");
        assert_eq!(a.report.layers[1].added.files, 0, "{flavour}");
        assert_eq!(a.report.layers[1].modified.files, 2, "{flavour}");
        assert_eq!(s.final_bytes, 100, "{flavour}");
        // The lower copy of every file is shadowed by the upper one.
        assert_eq!(s.reclaimable_bytes, 100, "{flavour}");
        assert!(
            a.report
                .wasted
                .iter()
                .all(|w| w.reason == WasteReason::Overwritten && w.layer == 0 && w.by_layer == 1)
        );
        // dive sees every path twice: all 200 bytes inefficient, score 100/200.
        assert_eq!(s.inefficient_bytes, Some(200), "{flavour}");
        assert_eq!(s.efficiency_score, Some(0.5), "{flavour}");
    }
}

#[test]
fn history_with_empty_layers_matches_the_right_layers() {
    let mut image = Image::new(vec![
        Layer::new("A", vec![file("a", 1)]),
        Layer::new("B", vec![file("b", 2)]),
        Layer::new("C", vec![file("c", 3)]),
    ]);
    image.config = Config {
        history: Some(vec![
            History::empty("ARG first"),
            History::layer("RUN a"),
            History::empty("ENV X=1"),
            History::empty("WORKDIR /w"),
            History::layer("RUN b"),
            History::empty("CMD [\"x\"]"),
            History::layer("RUN c"),
            History::empty("ENTRYPOINT [\"y\"]"),
        ]),
        ..Config::default()
    };
    let a = analyze_image(&image);
    let got: Vec<(Option<&str>, Vec<&str>)> = a
        .report
        .layers
        .iter()
        .map(|l| {
            (
                l.command.as_deref(),
                l.empty_history_before.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("RUN a"), vec!["ARG first"]),
            (Some("RUN b"), vec!["ENV X=1", "WORKDIR /w"]),
            (Some("RUN c"), vec!["CMD [\"x\"]"]),
        ]
    );
    assert!(warnings_of(&a, WarningKind::HistoryMismatch).is_empty());

    // One non-empty entry too few: a warning, and the layers that have one keep it.
    image.config.history = Some(vec![History::layer("RUN a"), History::layer("RUN b")]);
    let a = analyze_image(&image);
    assert_eq!(warnings_of(&a, WarningKind::HistoryMismatch).len(), 1);
    assert_eq!(a.report.layers[1].command.as_deref(), Some("RUN b"));
    assert_eq!(a.report.layers[2].command, None);
}
