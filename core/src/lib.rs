//! imgslim-core: why a container image is big, computed from its own bytes.
//!
//! Reads `docker save` / `podman save` archives (legacy and Docker ≥ 25), OCI archives and OCI
//! layout directories, with plain, gzip or zstd layers; merges the layers into one file tree
//! (whiteouts, opaque directories, hardlinks); and measures size per layer, wasted and duplicated
//! files, with dive-compatible figures next to honest ones.
//!
//! The core does no I/O of its own: callers hand it a [`Source`] (random access) or a stream, and
//! it builds for `wasm32-unknown-unknown` without threads.
//!
//! ```
//! use imgslim_core::{analyze, Input, Options, Progress};
//! # fn run(bytes: Vec<u8>) -> Result<(), imgslim_core::Error> {
//! let input = Input::Archive { source: std::sync::Arc::new(bytes), name: "app.tar".into() };
//! let analysis = analyze(input, &Options::default(), &Progress::default())?;
//! println!("{} bytes reclaimable", analysis.report.summary.reclaimable_bytes);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod analysis;
mod analyze;
mod archive;
pub mod diff;
mod error;
pub mod exec;
mod layer;
mod options;
mod parallel;
mod progress;
pub mod propose;
pub mod report;
pub mod rules;
mod source;
mod tar;
pub mod tree;
mod warning;

pub use analysis::dive::DiveInefficiency;
pub use analysis::duplicates::DuplicateGroup;
pub use analysis::waste::{ChangeCounts, WasteReason, WastedFile};
pub use analyze::{Analysis, Input, analyze};
pub use archive::{Format, Platform, RunConfig, Store};
pub use error::{Error, Location, Result};
pub use layer::compression::Compression;
pub use layer::path::display as display_path;
pub use layer::scan::Kind;
pub use options::{Limits, Options};
pub use progress::{Progress, ProgressCallback, Snapshot};
pub use report::{Report, SCHEMA_VERSION};
pub use source::Source;
pub use warning::{Warning, WarningKind};
