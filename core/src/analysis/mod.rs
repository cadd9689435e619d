//! Figures computed from the merged tree and the layer scans.

pub(crate) mod dive;
pub(crate) mod duplicates;
pub(crate) mod waste;
