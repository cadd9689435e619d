//! Options: one serde struct, so CLI flags, a config file and a JS object all map onto it.

use serde::{Deserialize, Serialize};

/// What to analyse and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// `NAME[:TAG]` of the image to pick when an archive holds several.
    pub image: Option<String>,
    /// `os/arch[/variant]` to pick from a multi-platform index.
    pub platform: Option<String>,
    /// Read every byte and check every digest (diff_ids and blob digests); a mismatch is an error.
    pub verify: bool,
    /// Safety limits against hostile input.
    pub limits: Limits,
    /// How many wasted files and duplicate groups the report lists (the totals always count all).
    pub list_limit: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            image: None,
            platform: None,
            verify: false,
            limits: Limits::default(),
            list_limit: 1000,
        }
    }
}

/// Limits that stop decompression bombs and entry floods. Every one is overridable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest allowed ratio of a layer's decompressed size to its compressed size, applied once a
    /// layer has produced more than `expansion_floor` bytes. Real layers stay under 20:1; gzip
    /// cannot exceed about 1032:1, zstd can reach millions to one.
    pub max_expansion: u64,
    /// Bytes any layer may decompress to before `max_expansion` applies.
    pub expansion_floor: u64,
    /// Largest uncompressed size of one layer, in bytes.
    pub max_layer_bytes: u64,
    /// Most tar entries in the whole image (memory grows with entries, about 150 bytes each).
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_expansion: 250,
            expansion_floor: 1 << 30,
            max_layer_bytes: 256 << 30,
            max_entries: 20_000_000,
        }
    }
}

impl Limits {
    /// The most bytes a blob of `compressed` bytes may decompress to.
    pub(crate) fn decompressed_cap(&self, compressed: u64) -> u64 {
        compressed
            .saturating_mul(self.max_expansion)
            .max(self.expansion_floor)
            .min(self.max_layer_bytes)
    }
}
