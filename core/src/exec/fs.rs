//! Path resolution inside the final image: symlinks are followed the way the kernel does it,
//! relative to the link's directory, with absolute targets restarting at the image root (never
//! the host's).

use crate::layer::scan::Kind;
use crate::tree::{ContentId, FileTree, NodeId};

/// Reads a regular file's bytes from the layers; `None` when contents cannot be read (a stream
/// input) or the read failed.
pub(crate) type ReadFn<'a> = dyn Fn(ContentId) -> Option<Vec<u8>> + 'a;

/// What closure resolution needs from a file's bytes ([`super::Facts`]); computed once per
/// file, in one pass per compressed layer, so whole libraries are never held in memory.
pub(crate) type FactsFn<'a> = dyn Fn(ContentId) -> Option<std::rc::Rc<super::Facts>> + 'a;

/// Symlink hops before giving up (Linux's `MAXSYMLINKS` is 40).
const MAX_HOPS: usize = 40;

/// The final image's filesystem, read-only.
pub(crate) struct Fs<'a> {
    pub tree: &'a FileTree,
    pub read: &'a ReadFn<'a>,
    pub facts: &'a FactsFn<'a>,
}

/// A path resolved to a regular file.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The node of the file itself, after every symlink.
    pub node: NodeId,
    /// Its canonical path.
    pub path: String,
    /// Its content, where it is a regular file or hardlink.
    pub content: Option<ContentId>,
    /// Size in bytes.
    pub size: u64,
}

impl Fs<'_> {
    fn child(&self, dir: NodeId, name: &str) -> Option<NodeId> {
        let kids = self.tree.children(dir);
        let i = kids
            .binary_search_by(|&c| self.tree.name(c).cmp(name.as_bytes()))
            .ok()?;
        let id = kids[i];
        self.tree.live_final(id).map(|_| id)
    }

    /// Walk an absolute path (relative paths are taken from `/`), following every symlink;
    /// every component but the last must be a directory. The node the path ends at.
    fn walk(&self, path: &str) -> Option<NodeId> {
        let mut todo: Vec<String> = path
            .split('/')
            .rev()
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        let mut stack: Vec<NodeId> = vec![FileTree::ROOT];
        let mut hops = 0;
        while let Some(part) = todo.pop() {
            let cur = *stack.last()?;
            match part.as_str() {
                "." => continue,
                ".." => {
                    if stack.len() > 1 {
                        stack.pop();
                    }
                    continue;
                }
                _ => {}
            }
            let id = self.child(cur, &part)?;
            let v = self.tree.live_final(id)?;
            if v.entry_kind() == Some(Kind::Symlink) {
                hops += 1;
                if hops > MAX_HOPS {
                    return None;
                }
                let target = String::from_utf8_lossy(self.tree.link(v)).into_owned();
                if target.starts_with('/') {
                    stack.truncate(1);
                }
                todo.extend(
                    target
                        .split('/')
                        .rev()
                        .filter(|p| !p.is_empty())
                        .map(str::to_string),
                );
                continue;
            }
            if !todo.is_empty() && !v.is_dir() {
                return None;
            }
            stack.push(id);
        }
        stack.last().copied()
    }

    /// Resolve an absolute path (relative paths are taken from `/`) to a file, following every
    /// symlink.
    pub fn resolve(&self, path: &str) -> Option<Resolved> {
        let node = self.walk(path)?;
        let v = self.tree.live_final(node)?;
        if v.is_dir() {
            return None;
        }
        let content = v.content();
        let size = content.map_or(v.size, |c| self.tree.content(c).size);
        Some(Resolved {
            node,
            path: self.tree.path_string(node),
            content,
            size,
        })
    }

    /// The node of a directory, following symlinks.
    pub fn dir_node(&self, path: &str) -> Option<NodeId> {
        let node = self.walk(path)?;
        if node == FileTree::ROOT || self.tree.live_final(node)?.is_dir() {
            Some(node)
        } else {
            None
        }
    }

    /// Read a resolved file's bytes.
    pub fn read(&self, r: &Resolved) -> Option<Vec<u8>> {
        (self.read)(r.content?)
    }

    /// Read a text file by path (small configuration files only).
    pub fn read_text(&self, path: &str) -> Option<String> {
        let r = self.resolve(path)?;
        if r.size > 1 << 20 {
            return None;
        }
        self.read(&r)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }
}

/// Join `rel` onto the directory `dir` (both textual), dropping `.` components and doubled
/// slashes; `..` is left to the resolver.
pub(crate) fn join(dir: &str, rel: &str) -> String {
    let joined = if rel.starts_with('/') {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    };
    let parts: Vec<&str> = joined
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins() {
        assert_eq!(join("/src", "./hello"), "/src/hello");
        assert_eq!(join("/", "bin//sh"), "/bin/sh");
        assert_eq!(join("/a", "/b/./c"), "/b/c");
    }
}
