//! Cross-crate test support for imgslim.
//!
//! The main export is the [`fixtures`] module: a builder that writes container images from a
//! description ("layer 1 adds `usr/bin/gcc`, 4 MiB; layer 2 whites it out") in every archive
//! layout and layer compression that real tools write, byte-for-byte deterministically.
//! Integration tests, benches and the committed example image (`make-example`) all use it, so
//! no opaque binary fixture exists without the code that made it.

pub mod fixtures;

pub use fixtures::*;
