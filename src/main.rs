//! `scimock`: clap wiring only. The work happens in the library crates.

mod check;
mod cli;
mod filter;
mod profile;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    std::process::ExitCode::from(cli::run(args))
}
