//! Credentials: the secret header values a run sends, how curl lines show them (a
//! placeholder), and the wrong values the authentication checks send instead.

/// What the curl line shows instead of a credential.
pub const TOKEN_PLACEHOLDER: &str = "$SCIM_TOKEN";
/// The bearer token sent by the wrong-token probes (not a secret).
pub const WRONG_TOKEN: &str = "scimock-check-wrong-token";

/// A `--header` argument that cannot be a credential header; the messages never echo the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// No `:` between name and value.
    #[error("--header {shown:?}: expected 'Name: value'")]
    NoColon {
        /// The argument with anything after a `:` redacted.
        shown: String,
    },
    /// Not a valid header name.
    #[error("--header: {name:?} is not a valid header name")]
    BadName {
        /// The name given.
        name: String,
    },
    /// Not a valid header value.
    #[error("--header {name}: the value is not a valid header value")]
    BadValue {
        /// The header name.
        name: String,
    },
}

/// A credential header: its name, its secret value, and how the curl line shows it.
#[derive(Clone)]
pub struct Credential {
    pub(super) name: String,
    pub(super) value: String,
    pub(super) shown: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({}: {})", self.name, self.shown)
    }
}

impl Credential {
    /// `Authorization: Bearer TOKEN`, from `--token`.
    pub fn bearer(token: &str) -> Credential {
        Credential {
            name: "Authorization".into(),
            value: format!("Bearer {token}"),
            shown: format!("Bearer {TOKEN_PLACEHOLDER}"),
        }
    }

    /// A raw header from `--header 'K: V'`; its value is treated as a secret.
    pub fn header(line: &str) -> Result<Credential, CredentialError> {
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| CredentialError::NoColon {
                shown: redact_header_arg(line),
            })?;
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || reqwest::header::HeaderName::from_bytes(k.as_bytes()).is_err() {
            return Err(CredentialError::BadName {
                name: k.to_string(),
            });
        }
        if reqwest::header::HeaderValue::from_str(v).is_err() {
            return Err(CredentialError::BadValue {
                name: k.to_string(),
            });
        }
        let shown = match v.split_once(' ') {
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("bearer") => {
                format!("{scheme} {TOKEN_PLACEHOLDER}")
            }
            _ => TOKEN_PLACEHOLDER.to_string(),
        };
        Ok(Credential {
            name: k.to_string(),
            value: v.to_string(),
            shown,
        })
    }

    /// The secret parts of the value (the whole value and, for `Scheme token`, the token).
    pub(super) fn secrets(&self) -> Vec<String> {
        let mut out = vec![self.value.clone()];
        if let Some((_, tok)) = self.value.split_once(' ') {
            out.push(tok.trim().to_string());
        }
        // Secrets shorter than 3 characters are not scrubbed from text (they would mangle every
        // report); they are still never written into curl lines or headers.
        out.retain(|s| s.len() >= 3);
        out
    }
}

fn redact_header_arg(line: &str) -> String {
    line.split_once(':').map_or_else(
        || "<redacted>".to_string(),
        |(k, _)| format!("{k}: <redacted>"),
    )
}

/// Which credentials a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// The configured ones.
    Configured,
    /// None at all.
    Missing,
    /// The configured header names with a wrong value.
    Wrong,
}

/// The wrong value sent in place of a credential: same scheme word, wrong token.
pub(super) fn wrong_value(v: &str) -> String {
    match v.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} {WRONG_TOKEN}"),
        None => WRONG_TOKEN.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_arguments_are_validated_without_echoing_the_value() {
        let e = Credential::header("no colon s3cret")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("s3cret"), "{e}");
        assert!(Credential::header("Bad Name: v").is_err());
        assert_eq!(
            Credential::header("Authorization: Bearer x").unwrap().shown,
            "Bearer $SCIM_TOKEN"
        );
    }
}
