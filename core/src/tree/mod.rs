//! The merged file tree (an arena with per-layer versions of every path) and its merge.

mod arena;
pub(crate) mod merge;

pub use arena::{
    Change, Content, ContentId, FileTree, NodeId, RemovedBy, Version, VersionId, VersionKind,
};
