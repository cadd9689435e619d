//! The one error type of the core. Variants name the layer or member and the cause, so the CLI can
//! print a single line such as `app.tar: layer 3 (sha256:ab12…): corrupt gzip stream: …`.

use std::fmt;

/// Which part of an image an error or warning is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A member of the outer archive (or a file of an OCI layout directory).
    Member(String),
    /// A layer, by its 0-based index in the image and its digest.
    Layer {
        /// 0-based index in the manifest's layer list.
        index: usize,
        /// The layer's blob digest or diff_id, whichever is known.
        digest: String,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Member(path) => write!(f, "{path}"),
            Location::Layer { index, digest } => {
                write!(f, "layer {index} ({})", short_digest(digest))
            }
        }
    }
}

/// `sha256:0123456789ab` from a full digest, for messages.
pub(crate) fn short_digest(digest: &str) -> &str {
    let end = digest.find(':').map_or(0, |i| i + 1) + 12;
    digest.get(..end).unwrap_or(digest)
}

/// Everything that can stop an analysis. Oddities that do not stop it are warnings in the report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the input failed (an I/O error from the byte source).
    #[error("{at}: read failed: {source}")]
    Io {
        /// Where the read happened.
        at: Location,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The input is empty.
    #[error("empty input: not an image archive")]
    Empty,
    /// The input is not a tar archive, nor an OCI layout directory.
    #[error("not an image archive: {0}")]
    NotAnArchive(String),
    /// The input is a tar archive but has neither manifest.json nor an OCI index.json.
    #[error(
        "not an image archive: no manifest.json or index.json (is this a plain tar or a single layer?)"
    )]
    NoManifest,
    /// A tar stream (outer archive or layer) is malformed.
    #[error("{at}: corrupt tar: {reason}")]
    CorruptTar {
        /// Where.
        at: Location,
        /// What is wrong, with the byte offset.
        reason: String,
    },
    /// A layer blob could not be decompressed.
    #[error("{at}: corrupt {compression} stream: {source}")]
    CorruptCompression {
        /// Where.
        at: Location,
        /// `gzip` or `zstd`.
        compression: &'static str,
        /// The decoder's error.
        #[source]
        source: std::io::Error,
    },
    /// The archive ended in the middle of a member.
    #[error("{at}: truncated: {reason}")]
    Truncated {
        /// Where.
        at: Location,
        /// What was being read.
        reason: String,
    },
    /// A JSON document (manifest, index, config) does not parse or lacks required fields.
    #[error("{at}: bad JSON: {reason}")]
    BadJson {
        /// Which member.
        at: Location,
        /// The parser's message.
        reason: String,
    },
    /// A manifest names a blob that is not in the archive.
    #[error("{at}: missing blob: {what} is referenced but not in the archive")]
    MissingBlob {
        /// The referencing document.
        at: Location,
        /// The digest or path that is missing.
        what: String,
    },
    /// A digest check failed under `--verify`.
    #[error("{at}: digest mismatch: expected {expected}, found {found}")]
    DigestMismatch {
        /// Which layer or blob.
        at: Location,
        /// Digest the manifest or config names.
        expected: String,
        /// Digest of the bytes read.
        found: String,
    },
    /// The archive holds several images and none was chosen.
    #[error("the archive holds {} images; choose one with --image: {}", choices.len(), choices.join(", "))]
    AmbiguousImage {
        /// The names (or indexes) to pick from.
        choices: Vec<String>,
    },
    /// `--image` matched nothing.
    #[error("no image named {wanted:?} in the archive; it holds: {}", choices.join(", "))]
    ImageNotFound {
        /// What was asked for.
        wanted: String,
        /// What there is.
        choices: Vec<String>,
    },
    /// The index lists several platforms and none was chosen.
    #[error("the image index lists {} platforms; choose one with --platform: {}", choices.len(), choices.join(", "))]
    AmbiguousPlatform {
        /// Platforms as `os/arch[/variant]`.
        choices: Vec<String>,
    },
    /// `--platform` matched nothing.
    #[error("no manifest for platform {wanted}; the index lists: {}", choices.join(", "))]
    PlatformNotFound {
        /// What was asked for.
        wanted: String,
        /// What there is.
        choices: Vec<String>,
    },
    /// A configured safety limit was exceeded (decompression bomb, too many entries).
    #[error("{at}: {what} exceeds the limit of {limit} (raise it with {flag})")]
    LimitExceeded {
        /// Where.
        at: Location,
        /// What was counted.
        what: String,
        /// The limit, formatted.
        limit: String,
        /// The option that raises it.
        flag: &'static str,
    },
    /// The layer count in the manifest and in the config's rootfs disagree.
    #[error(
        "{at}: the manifest lists {manifest} layers but the config's rootfs lists {config} diff_ids"
    )]
    LayerCountMismatch {
        /// The config.
        at: Location,
        /// Layers in the manifest.
        manifest: usize,
        /// diff_ids in the config.
        config: usize,
    },
    /// The analysis was cancelled by the caller's progress callback.
    #[error("cancelled")]
    Cancelled,
}

/// Shorthand used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wrap an I/O error that happened while reading `at`, telling truncation and decoder
    /// failures apart from plain read failures.
    pub(crate) fn from_io(at: Location, err: std::io::Error) -> Self {
        if err.kind() == std::io::ErrorKind::UnexpectedEof {
            Error::Truncated {
                at,
                reason: "unexpected end of data".into(),
            }
        } else {
            Error::Io { at, source: err }
        }
    }
}
