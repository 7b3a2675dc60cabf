//! `scimock filter`: parse a SCIM filter, print its canonical form (or AST), and with
//! `--profile` say whether that vendor would accept it (the `scimock filter` contract in README).

use crate::cli::fail;
use clap::Args;
use scimock_profile::Profile;
use scimock_profile::vocab::ResourceKind;
use scimock_server::schema::ResourceSchemas;
use scimock_server::select::{self, JudgeOptions, Verdict};

/// `scimock filter 'EXPR' [--profile NAME] [--json]`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 valid (and accepted by the --profile vendor); 1 not a valid \
filter (the error on stderr); 2 bad arguments or an unreadable profile; 3 valid, but the --profile \
vendor would refuse it (its reason on stderr)."
)]
pub struct FilterArgs {
    /// The filter expression.
    expr: String,
    /// Check the filter against this vendor's rules (a built-in profile's name or a profile file's path).
    #[arg(long)]
    profile: Option<String>,
    /// Print the AST as JSON instead of the canonical form.
    #[arg(long)]
    json: bool,
}

/// Runs the command: 0 valid (and accepted), 1 malformed, 2 unknown profile, 3 the vendor
/// refuses it.
pub fn run(a: FilterArgs) -> u8 {
    let profile = match a.profile.as_deref().map(Profile::load).transpose() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let limits = profile
        .as_ref()
        .map_or_else(scimock_filter::Limits::default, |p| p.filter.limits());
    let ast = match scimock_filter::parse_filter_with(&a.expr, &limits) {
        Ok(ast) => ast,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    if a.json {
        crate::cli::emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&ast).unwrap_or_default()
        ));
    } else {
        crate::cli::emit(&format!("{ast}\n"));
    }
    if let Some(p) = profile {
        // The server's own verdict: the vendor's filter policy, then the schema.
        let schema = ResourceSchemas::user(&p);
        match select::judge(
            &p,
            &schema,
            ResourceKind::User,
            &ast,
            JudgeOptions::default(),
        ) {
            Ok(Verdict::Accepted(_) | Verdict::All) => {}
            Ok(Verdict::Empty) => {
                eprintln!(
                    "{} answers this filter with an empty list (an attribute it does not filter on)",
                    p.title
                );
            }
            Err(e) => {
                eprintln!(
                    "{} refuses this filter: {} {}",
                    p.title,
                    e.status.as_u16(),
                    e.detail
                );
                return 3;
            }
        }
    }
    0
}
