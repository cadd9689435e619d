//! Oddities that do not stop an analysis. They travel inside the report, each with a stable kind
//! that tools can filter on and a message that names the layer or path.

use serde::{Deserialize, Serialize};

/// Stable categories of warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum WarningKind {
    /// A member path climbs out of the image (`../x`): not applied.
    PathEscapesRoot,
    /// A PAX global header was found and ignored.
    PaxGlobalHeader,
    /// A tar entry type imgslim does not model (volume labels, multi-volume continuations).
    UnsupportedEntry,
    /// A hardlink names a path that does not exist.
    DanglingHardlink,
    /// A whiteout names a path that does not exist in lower layers.
    WhiteoutOfMissingPath,
    /// A digest computed without `--verify` did not match.
    DigestMismatch,
    /// History entries and layers do not line up.
    HistoryMismatch,
    /// A path is written twice inside one layer.
    DuplicateEntry,
    /// Something else about the archive layout.
    Layout,
}

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Its category.
    pub kind: WarningKind,
    /// A human sentence naming the layer or path.
    pub message: String,
}

impl Warning {
    /// A warning of `kind`.
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Warning {
            kind,
            message: message.into(),
        }
    }
}
