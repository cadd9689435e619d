//! The `imgslim` command.

mod allocator;
mod args;
mod budget;
mod commands;
mod input;
mod load;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    allocator::tune();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Analyze(a) => commands::analyze::run(a),
        Command::Explore(a) => commands::explore::run(a),
        Command::Check(a) => commands::check::run(a),
        Command::Diff(a) => commands::diff::run(a),
        Command::Suggest(a) => commands::suggest::run(a),
        Command::Rules(a) => commands::rules::run_list(a),
        Command::Rule(a) => commands::rules::run_one(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A closed pipe (`imgslim analyze x | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let msg: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("imgslim: error: {}", msg.join(": "));
            ExitCode::from(2)
        }
    }
}
