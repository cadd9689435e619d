//! One layer: compression sniffing, path rules, the tar scan and what it learns from contents.

pub(crate) mod compression;
pub(crate) mod contents;
pub(crate) mod path;
pub(crate) mod scan;
