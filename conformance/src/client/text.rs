//! How requests and responses are written down: percent-encoding, shell quoting for curl
//! lines, bounded response excerpts, transport errors in words, and URLs with their userinfo
//! redacted.

/// Longest response excerpt in evidence, characters.
pub(super) const EXCERPT_CHARS: usize = 600;

/// Percent-encodes a query component (everything but RFC 3986 unreserved characters).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `s` as one single-quoted shell word.
pub(super) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// `base` with anything before an `@` in its authority replaced, for messages about a URL that
/// may carry credentials.
pub(super) fn redact_userinfo(base: &str) -> String {
    let start = base.find("://").map_or(0, |i| i + 3);
    let end = base[start..]
        .find(['/', '?', '#'])
        .map_or(base.len(), |i| start + i);
    match base[start..end].rfind('@') {
        Some(at) => format!("{}[redacted]{}", &base[..start], &base[start + at..]),
        None => base.to_string(),
    }
}

/// A transport error in words, with its causes.
pub(super) fn describe_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "redirect refused"
    } else if e.is_body() || e.is_decode() {
        "broken response body"
    } else {
        "request failed"
    };
    let mut msg = kind.to_string();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// The first characters of a body as text (lossy UTF-8), with a truncation mark.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT_CHARS * 4)]);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if out.len() < body.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_bounded_and_lossy() {
        assert_eq!(excerpt(b""), "");
        assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
        let long = vec![b'x'; 5000];
        let e = excerpt(&long);
        assert!(e.ends_with('…') && e.chars().count() == EXCERPT_CHARS + 1);
    }
}
