//! Findings (a rule that fired, with the bytes and paths behind it) and proposals (a rewrite with
//! its computed size). Filled by the rules and proposal engines; carried by the report so every
//! front end shows the same ones.

use serde::{Deserialize, Serialize};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Small waste or hygiene.
    Low,
    /// Clear waste or risk.
    Medium,
    /// Large waste or a security problem.
    High,
}

/// One rule that fired on the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule code (`imgslim rule CODE` shows its docs).
    pub rule: String,
    /// Rule name, kebab-case.
    pub name: String,
    /// Severity.
    pub severity: Severity,
    /// Bytes that would go if the finding were fixed.
    pub bytes: u64,
    /// Layer that brought the paths in, when one layer did.
    pub layer: Option<usize>,
    /// That layer's history command.
    pub command: Option<String>,
    /// Paths involved (secrets are named, never printed).
    pub paths: Vec<String>,
    /// One sentence for humans.
    pub message: String,
}

/// Kinds of slimming proposals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProposalKind {
    /// Build in one stage, copy the app and its runtime closure into a smaller one.
    MultiStage,
    /// Copy a static (or small-closure) app onto `scratch` or distroless.
    Scratch,
    /// Clean caches and indexes in the same RUN that made them.
    Cleanup,
    /// Squash or reorder layers that add and later remove files.
    Squash,
    /// Start from a smaller base image.
    BaseImage,
}

/// A proposed change, with the image size it would give, computed on the file tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// What kind of change.
    pub kind: ProposalKind,
    /// One line: what to change.
    pub title: String,
    /// Why, with the figures behind it.
    pub rationale: String,
    /// Estimated image size after the change.
    pub estimated_size_bytes: u64,
    /// Bytes saved against the current image.
    pub saved_bytes: u64,
    /// The proposed Dockerfile, where one is produced.
    pub dockerfile: Option<String>,
    /// Exactly what to copy (for scratch and multi-stage proposals).
    pub copy: Vec<String>,
    /// The layer the change applies to (cleanup and squash proposals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// The instruction that replaces that layer's instruction (cleanup proposals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
}
