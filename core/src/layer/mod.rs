//! One layer: compression sniffing, path rules, and the tar scan.

pub(crate) mod compression;
pub(crate) mod path;
pub(crate) mod scan;
