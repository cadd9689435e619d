//! Duplicates: identical content (same sha256) stored at different paths of the final image.
//! Hardlinks share one content and are not duplicates. Only contents whose size collides with
//! another live content's size can be duplicates, so only those need hashing; on seekable
//! uncompressed archives nothing else is read.

use hashbrown::HashMap;

use serde::Serialize;

use crate::tree::{ContentId, FileTree};

/// A group of identical files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DuplicateGroup {
    /// `sha256:…` of the content.
    pub sha256: String,
    /// Size of one copy.
    pub size: u64,
    /// Paths (of distinct contents; hardlinked names are listed once, by their first name),
    /// sorted; the report cuts the list to `list_limit`.
    pub paths: Vec<String>,
    /// How many copies there are (the length of `paths` before any cut).
    #[serde(default)]
    pub copies: u64,
    /// Bytes saved by keeping one copy: size × (copies − 1).
    pub saved_bytes: u64,
}

impl DuplicateGroup {
    /// Number of copies (reports written before `copies` existed list every path).
    pub fn count(&self) -> u64 {
        self.copies.max(self.paths.len() as u64)
    }
}

/// How many paths of a duplicate group the text, Markdown and explorer views spell out.
pub const SHOWN_PATHS: usize = 5;

/// Live contents that could have a duplicate and are not hashed yet, in layers that can be read
/// by offset (contents of streamed layers carry a fingerprint and were settled already).
pub(crate) fn need_hash(tree: &FileTree, live: &[bool]) -> Vec<ContentId> {
    let mut by_size: HashMap<u64, u32> = HashMap::new();
    for (cid, c) in tree.contents() {
        if live[cid.0 as usize] && c.size > 0 {
            *by_size.entry(c.size).or_default() += 1;
        }
    }
    tree.contents()
        .filter(|(cid, c)| {
            live[cid.0 as usize]
                && c.size > 0
                && !c.has_sha256()
                && c.fingerprint.is_none()
                && by_size[&c.size] > 1
        })
        .map(|(cid, _)| cid)
        .collect()
}

/// Group live contents by hash.
pub(crate) fn groups(tree: &FileTree, live: &[bool]) -> Vec<DuplicateGroup> {
    // Sorted and cut into runs rather than a map of vectors: one allocation, not one per hash.
    let mut hashed: Vec<([u8; 32], ContentId)> = tree
        .contents()
        .filter(|(cid, c)| live[cid.0 as usize] && c.size > 0)
        .filter_map(|(cid, c)| Some((tree.sha256(c)?, cid)))
        .collect();
    hashed.sort_unstable_by_key(|(h, _)| *h);
    let mut out: Vec<DuplicateGroup> = hashed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
        .map(|run| {
            let size = tree.content(run[0].1).size;
            let mut paths: Vec<String> = run
                .iter()
                .map(|&(_, id)| tree.path_string(first_live_name(tree, id)))
                .collect();
            paths.sort();
            DuplicateGroup {
                sha256: format!("sha256:{}", hex::encode(run[0].0)),
                size,
                saved_bytes: size * (paths.len() as u64 - 1),
                copies: paths.len() as u64,
                paths,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.saved_bytes
            .cmp(&a.saved_bytes)
            .then_with(|| a.paths.cmp(&b.paths))
    });
    out
}

/// The writer's path if it still names the content, else any live name (a hardlink).
fn first_live_name(tree: &FileTree, id: ContentId) -> crate::tree::NodeId {
    let writer = tree.version(tree.content(id).version).node();
    if tree.live_final(writer).and_then(|v| v.content()) == Some(id) {
        return writer;
    }
    tree.node_ids()
        .find(|&n| tree.live_final(n).and_then(|v| v.content()) == Some(id))
        .unwrap_or(writer)
}

#[cfg(test)]
mod tests {
    use imgslim_tests::{Compression, Entry, Flavour, Image, Layer};
    use sha2::{Digest, Sha256};

    use crate::rules::testing::analyze_as;

    #[test]
    fn streamed_layers_settle_the_first_file_of_a_key() {
        // The first file of each key (size and first bytes) is only fingerprinted while its layer
        // streams; the group must still hold it, with the real sha256, and an equal-size
        // stranger must stay out.
        let same = "x".repeat(5000);
        let other = "y".repeat(5000);
        let image = Image::new(vec![
            Layer::new("ADD a", vec![Entry::file("a", same.as_str())]),
            Layer::new(
                "ADD b c",
                vec![
                    Entry::file("b", same.as_str()),
                    Entry::file("c", other.as_str()),
                ],
            ),
        ]);
        let want = format!("sha256:{}", hex::encode(Sha256::digest(same.as_bytes())));
        for flavour in [
            Flavour::DockerPodman,
            Flavour::ContainerdZstd,
            Flavour::OciArchive(Compression::Gzip),
        ] {
            let d = analyze_as(&image, flavour).report.duplicates;
            assert_eq!(d.len(), 1, "{flavour:?}");
            assert_eq!(d[0].paths, ["/a", "/b"], "{flavour:?}");
            assert_eq!(d[0].sha256, want, "{flavour:?}");
        }
    }
}
