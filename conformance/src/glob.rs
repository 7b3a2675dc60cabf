//! `--only` / `--skip` patterns over check ids: `*` any run of characters, `?` one character;
//! a pattern without wildcards also matches a whole group (`filter` selects `filter.*`).

/// True when `pattern` selects `id`.
pub fn matches(pattern: &str, id: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return id == pattern
            || id
                .strip_prefix(pattern)
                .is_some_and(|rest| rest.starts_with('.'));
    }
    wildcard(pattern.as_bytes(), id.as_bytes())
}

fn wildcard(p: &[u8], s: &[u8]) -> bool {
    // Iterative matcher with one backtrack point: linear in practice, no recursion.
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

/// True when `id` passes `--only` (empty: everything) and no `--skip`.
pub fn selected(id: &str, only: &[String], skip: &[String]) -> bool {
    (only.is_empty() || only.iter().any(|p| matches(p, id))) && !skip.iter().any(|p| matches(p, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_groups_select_ids() {
        assert!(matches("list.*", "list.pagination.walk"));
        assert!(matches("*.walk", "list.pagination.walk"));
        assert!(matches("list.pagination.walk", "list.pagination.walk"));
        assert!(matches("list", "list.envelope"));
        assert!(!matches("lis", "list.envelope"));
        assert!(matches("filter.e?", "filter.eq"));
        assert!(!matches("filter.e?", "filter.eqq"));
        assert!(matches("*", "anything"));
        assert!(!matches("writes.*", "filter.eq"));
        assert!(selected("filter.eq", &[], &[]));
        assert!(!selected("filter.eq", &["writes".into()], &[]));
        assert!(!selected("filter.eq", &[], &["filter.*".into()]));
    }
}
