//! One module per subcommand.

pub mod analyze;
pub mod check;
pub mod diff;
pub mod explore;
pub mod rules;
pub mod suggest;
