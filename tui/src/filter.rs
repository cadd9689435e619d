//! Path filtering for the navigation model: which nodes' absolute paths contain the filter.
//!
//! One forward sweep in id order (parents come before children): a node matches when its
//! parent does, or when the filter occurs in the end of its path, which is the last
//! `len - 1` bytes of the parent's path, `/` and its name (just the name when the filter has
//! no `/`). So each name is searched once and no full path is ever built.

use imgslim_core::tree::{FileTree, NodeId};

/// Smart case: an upper-case letter in the filter makes it case-sensitive.
pub fn smart_case(filter: &str) -> bool {
    filter.chars().any(char::is_uppercase)
}

/// Every node's name in ASCII lower case, in one buffer: searching them needs no per-keystroke
/// case folding. Built on the first filter (505,101 names take a few milliseconds).
#[derive(Debug, Clone, Default)]
pub struct LowerNames {
    bytes: Vec<u8>,
    /// End offset of each node's name in `bytes` (its start is the previous end).
    ends: Vec<u32>,
}

impl LowerNames {
    /// Fold every name of `tree`.
    pub fn new(tree: &FileTree) -> Self {
        let mut bytes = Vec::new();
        let mut ends = Vec::with_capacity(tree.len());
        for id in tree.node_ids() {
            bytes.extend(tree.name(id).iter().map(u8::to_ascii_lowercase));
            ends.push(bytes.len() as u32);
        }
        LowerNames { bytes, ends }
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }
}

/// Mark the nodes whose absolute path contains `filter` into `matches` (index by `NodeId.0`).
/// With `previous` (the matches of a filter this one extends), nodes that did not match
/// before are skipped: a path without the shorter filter cannot contain the longer one.
pub fn compute(
    tree: &FileTree,
    parents: &[u32],
    lower: &LowerNames,
    filter: &str,
    previous: Option<&[bool]>,
    matches: &mut Vec<bool>,
) {
    let sensitive = smart_case(filter);
    let needle: Vec<u8> = if sensitive {
        filter.as_bytes().to_vec()
    } else {
        filter.as_bytes().to_ascii_lowercase()
    };
    let name = |i: usize| {
        if sensitive {
            tree.name(NodeId(i as u32))
        } else {
            lower.get(i)
        }
    };
    let n = tree.len();
    matches.clear();
    matches.resize(n, false);
    // Without a `/` the filter cannot span components: a path contains it exactly when one of
    // its names does. That is the common case, and the fast one.
    let spans = needle.contains(&b'/');
    let want_tail = needle.len().saturating_sub(1);
    let mut buf: Vec<u8> = Vec::with_capacity(256);
    let mut tail: Vec<u8> = Vec::with_capacity(64);
    let mut tail_of = usize::MAX;
    for i in 1..n {
        let p = parents[i] as usize;
        if p != 0 && matches[p] {
            matches[i] = true;
            continue;
        }
        if previous.is_some_and(|prev| !prev[i]) {
            continue;
        }
        if !spans {
            matches[i] = contains(name(i), &needle);
            continue;
        }
        // The last `want_tail` bytes of the parent's path, gathered backwards; siblings are
        // mostly numbered one after another, so the previous node's is often the same.
        if tail_of != p {
            tail.clear();
            let mut cur = p;
            while tail.len() < want_tail && cur != 0 {
                tail.extend(name(cur).iter().rev());
                tail.push(b'/');
                cur = parents[cur] as usize;
            }
            tail_of = p;
        }
        buf.clear();
        let keep = tail.len().min(want_tail);
        buf.extend(tail[..keep].iter().rev());
        buf.push(b'/');
        buf.extend_from_slice(name(i));
        matches[i] = contains(&buf, &needle);
    }
}

/// Bytewise substring search: find the first byte with `position` (vectorised by std), then
/// compare the rest.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let mut start = 0;
    while start + needle.len() <= haystack.len() {
        match haystack[start..=haystack.len() - needle.len()]
            .iter()
            .position(|&b| b == first)
        {
            None => return false,
            Some(p) => {
                let at = start + p;
                if &haystack[at + 1..at + needle.len()] == rest {
                    return true;
                }
                start = at + 1;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::contains;

    #[test]
    fn substring_search() {
        assert!(contains(b"/usr/bin/gcc", b"bin/g"));
        assert!(contains(b"/usr/bin/gcc", b""));
        assert!(contains(b"abc", b"c"));
        assert!(!contains(b"abc", b"abcd"));
        assert!(!contains(b"/usr/bin", b"sbin"));
        assert!(contains(b"aab", b"ab"));
    }
}
