//! `scimock`: clap wiring only. The work happens in the library crates.

mod check;
mod cli;
mod filter;
mod profile;

fn main() -> std::process::ExitCode {
    let args = cli::parse();
    std::process::ExitCode::from(cli::run(args))
}
