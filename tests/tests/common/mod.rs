//! Helpers shared by the integration tests: analyse a fixture image in memory.
#![allow(dead_code)]

use std::sync::Arc;

use imgslim_core::tree::{FileTree, NodeId};
use imgslim_core::{Analysis, Input, Options, Progress, WarningKind, analyze};
use imgslim_tests::fixtures::{Flavour, Image, write_archive};

/// Analyse `bytes` as an archive with default options.
pub fn analyze_bytes(bytes: Vec<u8>) -> Analysis {
    try_analyze(bytes, &Options::default()).unwrap_or_else(|e| panic!("analyze failed: {e}"))
}

/// Analyse `bytes` as an archive.
pub fn try_analyze(bytes: Vec<u8>, options: &Options) -> imgslim_core::Result<Analysis> {
    analyze(
        Input::Archive {
            source: Arc::new(bytes),
            name: "test.tar".into(),
        },
        options,
        &Progress::default(),
    )
}

/// Write `image` as a podman-style docker-save archive (uncompressed) and analyse it.
pub fn analyze_image(image: &Image) -> Analysis {
    analyze_bytes(write_archive(image, Flavour::DockerPodman))
}

/// The node at `path`, which must exist in the tree (live or not).
pub fn node(tree: &FileTree, path: &str) -> NodeId {
    tree.lookup(path.as_bytes())
        .unwrap_or_else(|| panic!("{path} is not in the tree"))
}

/// Whether `path` exists in the final image.
pub fn live(tree: &FileTree, path: &str) -> bool {
    tree.lookup(path.as_bytes())
        .is_some_and(|n| tree.live_final(n).is_some())
}

/// Warnings of one kind.
pub fn warnings_of(a: &Analysis, kind: WarningKind) -> Vec<String> {
    a.report
        .warnings
        .iter()
        .filter(|w| w.kind == kind)
        .map(|w| w.message.clone())
        .collect()
}

/// Every live node has a live directory as its parent, all the way up.
pub fn assert_no_live_orphans(tree: &FileTree) {
    for n in tree.node_ids().skip(1) {
        if tree.live_final(n).is_none() {
            continue;
        }
        let mut cur = tree.parent(n);
        while let Some(p) = cur {
            if p == FileTree::ROOT {
                break;
            }
            let pv = tree.live_final(p);
            assert!(
                pv.is_some_and(|v| v.is_dir()),
                "{} is live under {} which is not a live directory",
                tree.path_string(n),
                tree.path_string(p)
            );
            cur = tree.parent(p);
        }
    }
}
