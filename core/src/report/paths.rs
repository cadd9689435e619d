//! Where the final image's bytes are, by path: a compact summary that a saved report carries so
//! that two reports can be diffed by path (`imgslim diff old.json new.json`), and the exact,
//! uncapped listing the diff uses when it has both file trees.

use serde::{Deserialize, Serialize};

use crate::layer::scan::Kind;
use crate::tree::{FileTree, NodeId};

/// How much of the final tree a [`PathSizes`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathLimits {
    /// Files smaller than this are left out (their bytes still count in their directories).
    pub min_file_bytes: u64,
    /// At most this many files, largest first.
    pub max_files: usize,
    /// Directories down to this depth (`/usr` is 1, `/usr/lib/gcc` is 3).
    pub dir_depth: usize,
    /// At most this many directories, largest first.
    pub max_dirs: usize,
}

impl PathLimits {
    /// What a report carries: every file of 4 KiB or more (at most 5000) and directory totals
    /// down to depth 4 (at most 2000). On the corpus' 667 MB gcc image that is 4056 files and 511
    /// directories (360 kB of compact JSON), naming every directory the toolchain lives in.
    pub const REPORT: PathLimits = PathLimits {
        min_file_bytes: 4096,
        max_files: 5000,
        dir_depth: 4,
        max_dirs: 2000,
    };

    /// Everything: every file and every directory down to the same depth as the report.
    pub const EXACT: PathLimits = PathLimits {
        min_file_bytes: 0,
        max_files: usize::MAX,
        dir_depth: 4,
        max_dirs: usize::MAX,
    };
}

/// Sizes of the final image's larger files and of its directories.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathSizes {
    /// Files smaller than this are not in `files`.
    pub min_file_bytes: u64,
    /// Directories deeper than this are not in `dirs`.
    pub dir_depth: usize,
    /// True when a cap left out files of at least `min_file_bytes` or directories within
    /// `dir_depth` (the smallest ones).
    pub truncated: bool,
    /// Regular files of the final image, largest first (ties by path).
    pub files: Vec<PathSize>,
    /// Directories with the bytes of every file below them, largest first (ties by path).
    pub dirs: Vec<PathSize>,
}

/// One path and its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathSize {
    /// Absolute path.
    pub path: String,
    /// Bytes (a file's size; a directory's total).
    pub bytes: u64,
    /// The layer that wrote the final version of a file; null for directories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
}

impl PathSizes {
    /// Summarise the final image of `tree`. Sizes are tar header sizes; a hard link counts 0
    /// (its data counts once, at the name that stores it), as in [`FileTree::sizes_at`].
    pub fn from_tree(tree: &FileTree, limits: PathLimits) -> PathSizes {
        let Some(last) = tree.layer_count().checked_sub(1) else {
            return PathSizes {
                min_file_bytes: limits.min_file_bytes,
                dir_depth: limits.dir_depth,
                ..PathSizes::default()
            };
        };
        let totals = tree.sizes_at(last);
        let mut depth = vec![0usize; tree.len()];
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        for id in tree.node_ids() {
            if id == FileTree::ROOT {
                continue;
            }
            let Some(parent) = tree.parent(id) else {
                continue;
            };
            // Parents come before children in the arena, so the parent's depth is known.
            depth[id.0 as usize] = depth[parent.0 as usize] + 1;
            let Some(v) = tree.live_final(id) else {
                continue;
            };
            match v.entry_kind() {
                Some(Kind::Dir)
                    if depth[id.0 as usize] <= limits.dir_depth && totals[id.0 as usize] > 0 =>
                {
                    dirs.push(entry(tree, id, totals[id.0 as usize], None));
                }
                Some(Kind::File) if v.size >= limits.min_file_bytes => {
                    files.push(entry(tree, id, v.size, Some(usize::from(v.layer))));
                }
                _ => {}
            }
        }
        let by_size = |a: &PathSize, b: &PathSize| b.bytes.cmp(&a.bytes).then(a.path.cmp(&b.path));
        files.sort_by(by_size);
        dirs.sort_by(by_size);
        let truncated = files.len() > limits.max_files || dirs.len() > limits.max_dirs;
        files.truncate(limits.max_files);
        dirs.truncate(limits.max_dirs);
        PathSizes {
            min_file_bytes: limits.min_file_bytes,
            dir_depth: limits.dir_depth,
            truncated,
            files,
            dirs,
        }
    }

    /// True when nothing was recorded (a report written before this field existed).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.dirs.is_empty()
    }
}

fn entry(tree: &FileTree, id: NodeId, bytes: u64, layer: Option<usize>) -> PathSize {
    PathSize {
        path: tree.path_string(id),
        bytes,
        layer,
    }
}
