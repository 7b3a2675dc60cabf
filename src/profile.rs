//! `scimock profile`: the profile file format for people writing a custom vendor — its JSON
//! Schema, a starting file, and the effective profile after `extends` and `--set`.

use crate::cli::{emit, fail};
use clap::{Args, Subcommand};
use scimock_profile::{Profile, check_overrides, file_schema, parse_override, valid_profile_name};
use std::io::Write;
use std::path::PathBuf;

/// `scimock profile ...`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(subcommand)]
    command: ProfileCommand,
}

#[derive(Debug, Subcommand)]
enum ProfileCommand {
    /// Print the JSON Schema of profile files (for editors: `"$schema": "./profile.schema.json"`).
    Schema(SchemaArgs),
    /// Write a starting profile file: every field of BASE, with what each field does.
    New(NewArgs),
    /// Print the effective profile of a built-in or a file, after `extends` and `--set`.
    Show(ShowArgs),
}

#[derive(Debug, Args)]
struct SchemaArgs {
    /// `json`: the JSON Schema; `markdown`: the field reference as a table.
    #[arg(long, default_value = "json", value_parser = ["json", "markdown"])]
    format: String,
}

#[derive(Debug, Args)]
struct NewArgs {
    /// The new profile's name (lowercase letters, digits, '-' and '_', starting with a letter).
    name: String,
    /// The built-in profile (or profile file) to start from.
    #[arg(long, default_value = "generic")]
    from: String,
    /// Write to FILE instead of stdout (an existing file is left alone).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// A built-in profile's name or a profile file's path.
    profile: String,
    /// Override a field, as `scimock serve --set` does (`--set list.max_count=50`).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
}

/// Runs the command: 0 done, 2 an unknown or invalid profile, a bad `--set`, an unwritable file.
pub fn run(a: ProfileArgs) -> u8 {
    match a.command {
        ProfileCommand::Schema(a) => emit(&match a.format.as_str() {
            "markdown" => file_schema::reference_markdown(),
            _ => file_schema::json_schema_text(),
        }),
        ProfileCommand::New(a) => new(a),
        ProfileCommand::Show(a) => show(a),
    }
}

fn new(a: NewArgs) -> u8 {
    if !valid_profile_name(&a.name) {
        return fail(format!(
            "profile new: {:?} is not a profile name: lowercase letters, digits, '-' and '_', starting with a letter",
            a.name
        ));
    }
    let base = match Profile::load(&a.from) {
        Ok(p) => p,
        Err(e) => return fail(format!("profile new: --from: {e}")),
    };
    let mut text =
        serde_json::to_string_pretty(&file_schema::starter(&base, &a.name)).unwrap_or_default();
    text.push('\n');
    match &a.output {
        None => emit(&text),
        Some(path) => {
            let written = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .and_then(|mut f| f.write_all(text.as_bytes()));
            match written {
                Ok(()) => {
                    eprintln!(
                        "wrote {} (serve it with `scimock serve --vendor {}`)",
                        path.display(),
                        path.display()
                    );
                    0
                }
                Err(e) => fail(format!("profile new: {}: {e}", path.display())),
            }
        }
    }
}

fn show(a: ShowArgs) -> u8 {
    let profile = match Profile::load(&a.profile) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let mut overrides = Vec::new();
    for s in &a.set {
        match parse_override(s) {
            Ok(o) => overrides.push(o),
            Err(e) => return fail(e),
        }
    }
    if let Err(e) = check_overrides(std::slice::from_ref(&profile), &overrides) {
        return fail(e);
    }
    let (mine, _) = profile.overrides_for(&overrides);
    let effective = match profile.with_overrides(&mine) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    match serde_json::to_string_pretty(&effective) {
        Ok(text) => emit(&format!("{text}\n")),
        Err(e) => fail(e),
    }
}
