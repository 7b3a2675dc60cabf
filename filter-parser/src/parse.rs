//! The nom grammar (RFC 7644 §3.4.2.2 ABNF, function names follow the ABNF rules).
//!
//! ```text
//! FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
//! valuePath = attrPath "[" valFilter "]"
//! valFilter = attrExp / logExp / *1"not" "(" valFilter ")"
//! attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
//! logExp    = FILTER SP ("and" / "or") SP FILTER
//! compValue = false / null / true / number / string
//! attrPath  = [URI ":"] ATTRNAME *1subAttr
//! ```
//!
//! Precedence is layered the nom way: [`Grammar::log_exp`] (`or`) over [`Grammar::and_exp`]
//! (`and`) over [`Grammar::term`] (`not`, groups, `attrExp`, `valuePath`). Every operand is
//! parsed exactly once: a term is chosen by looking at one character or keyword, and an
//! attribute path is parsed once before branching on `[` versus an operator, so parsing is
//! linear in the input. Nesting is counted while descending and refused past
//! [`Limits::max_depth`], so recursion never goes deeper than that.
//!
//! Whitespace: the RFC asks for a single SP; we accept one or more spaces or tabs wherever a
//! separator is required, any amount around the whole input, inside parentheses and brackets.

use std::borrow::Cow;

use nom::bytes::complete::{tag_no_case, take_while, take_while1};
use nom::character::complete::{space0, space1};
use nom::{IResult, Parser};

use crate::Limits;
use crate::ast::{AttrOp, AttrPath, CompValue, CompareOp, Filter, PatchPath, SubAttrTest};
use crate::error::{ParseError, ParseErrorKind};

/// What the grammar reports when it fails: where (the unparsed rest of the input) and what it
/// expected there.
#[derive(Debug)]
pub(crate) struct Fail<'a> {
    at: &'a str,
    expected: Cow<'static, str>,
    kind: ParseErrorKind,
    /// Kept as is by [`expect`] even when it happened where `expect` started.
    sticky: bool,
}

impl<'a> nom::error::ParseError<&'a str> for Fail<'a> {
    fn from_error_kind(input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        Fail {
            at: input,
            expected: Cow::Borrowed("valid input"),
            kind: ParseErrorKind::Syntax,
            sticky: false,
        }
    }

    fn append(_input: &'a str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type PResult<'a, T> = IResult<&'a str, T, Fail<'a>>;

/// A syntax error at `at`.
fn syntax_error<'a>(at: &'a str, expected: &'static str) -> nom::Err<Fail<'a>> {
    nom::Err::Failure(Fail {
        at,
        expected: Cow::Borrowed(expected),
        kind: ParseErrorKind::Syntax,
        sticky: false,
    })
}

/// A syntax error at `at` that is more precise than any label a caller could give.
fn sticky_error<'a>(at: &'a str, expected: &'static str) -> nom::Err<Fail<'a>> {
    nom::Err::Failure(Fail {
        at,
        expected: Cow::Borrowed(expected),
        kind: ParseErrorKind::Syntax,
        sticky: true,
    })
}

/// A syntax error at `at`, as a parser result.
fn fail<'a, T>(at: &'a str, expected: &'static str) -> PResult<'a, T> {
    Err(syntax_error(at, expected))
}

/// Runs `parser`; when it fails right where it started, the error becomes "expected
/// `expected`" (errors found further in, such as a bad escape inside a string, are kept).
fn expect<'a, O>(
    expected: &'static str,
    mut parser: impl Parser<&'a str, Output = O, Error = Fail<'a>>,
) -> impl FnMut(&'a str) -> PResult<'a, O> {
    move |i| {
        parser.parse(i).map_err(|e| match e {
            nom::Err::Error(f) | nom::Err::Failure(f)
                if f.at.len() == i.len() && f.kind == ParseErrorKind::Syntax && !f.sticky =>
            {
                syntax_error(i, expected)
            }
            other => other,
        })
    }
}

const EXPECT_TERM: &str = "an attribute name, \"(\" or \"not\"";
const EXPECT_OP: &str = "a comparison operator";
const EXPECT_VALUE: &str = "a value";
const EXPECT_SPACE: &str = "a space";
const EXPECT_NAME: &str = "an attribute name";
const EXPECT_SUB: &str = "a sub-attribute name";
const EXPECT_QUOTE: &str = "a closing quote (\")";
const EXPECT_AFTER_TOP: &str = "\"and\", \"or\" or the end of the filter";
const EXPECT_AFTER_PAREN: &str = "\"and\", \"or\" or \")\"";
const EXPECT_AFTER_BRACKET: &str = "\"and\", \"or\" or \"]\"";

/// `nameChar = "-" / "_" / DIGIT / ALPHA`
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn ws0(i: &str) -> &str {
    match space0::<_, Fail>(i) {
        Ok((rest, _)) => rest,
        Err(_) => i,
    }
}

/// Where a nested construct is: how deep, and whether inside a value filter (brackets do not nest).
#[derive(Clone, Copy)]
struct Level {
    depth: usize,
    in_value_filter: bool,
}

struct Grammar {
    max_depth: usize,
}

impl Grammar {
    /// Enters one more level of nesting at `at` (an opening `(`, `not` or `[`).
    fn enter<'a>(&self, at: &'a str, level: Level) -> Result<Level, nom::Err<Fail<'a>>> {
        if level.depth >= self.max_depth {
            return Err(nom::Err::Failure(Fail {
                at,
                expected: Cow::Owned(format!("at most {} levels of nesting", self.max_depth)),
                kind: ParseErrorKind::TooDeep,
                sticky: true,
            }));
        }
        Ok(Level {
            depth: level.depth + 1,
            ..level
        })
    }

    /// `FILTER` at the `or` level: `and_exp *(SP "or" SP and_exp)`, left-associative.
    fn log_exp<'a>(&self, i: &'a str, level: Level) -> PResult<'a, Filter> {
        let (mut i, mut left) = self.and_exp(i, level)?;
        while let Some(rest) = logical_keyword(i, "or")? {
            let (rest, right) = self.and_exp(rest, level)?;
            left = Filter::Or {
                left: Box::new(left),
                right: Box::new(right),
            };
            i = rest;
        }
        Ok((i, left))
    }

    /// `term *(SP "and" SP term)`, left-associative.
    fn and_exp<'a>(&self, i: &'a str, level: Level) -> PResult<'a, Filter> {
        let (mut i, mut left) = self.term(i, level)?;
        while let Some(rest) = logical_keyword(i, "and")? {
            let (rest, right) = self.term(rest, level)?;
            left = Filter::And {
                left: Box::new(left),
                right: Box::new(right),
            };
            i = rest;
        }
        Ok((i, left))
    }

    /// `"not" "(" FILTER ")"` / `"(" FILTER ")"` / `attrExp` / `valuePath`, chosen by looking
    /// at the next character or keyword only.
    fn term<'a>(&self, i: &'a str, level: Level) -> PResult<'a, Filter> {
        #[cfg(test)]
        tests::TERMS_PARSED.with(|n| n.set(n.get() + 1));
        if let Some(after_not) = not_keyword(i) {
            let inner = self.enter(i, level)?;
            let open = ws0(after_not);
            let Some(body) = open.strip_prefix('(') else {
                return fail(open, "\"(\"");
            };
            let (rest, filter) = self.group_body(body, inner, ')', EXPECT_AFTER_PAREN)?;
            return Ok((
                rest,
                Filter::Not {
                    filter: Box::new(filter),
                },
            ));
        }
        if let Some(body) = i.strip_prefix('(') {
            let inner = self.enter(i, level)?;
            return self.group_body(body, inner, ')', EXPECT_AFTER_PAREN);
        }
        self.attr_exp(i, level)
    }

    /// The inside of `( ... )` or `[ ... ]`, including the closing character.
    fn group_body<'a>(
        &self,
        i: &'a str,
        level: Level,
        close: char,
        expected_close: &'static str,
    ) -> PResult<'a, Filter> {
        let (rest, filter) = self.log_exp(ws0(i), level)?;
        let rest = ws0(rest);
        match rest.strip_prefix(close) {
            Some(rest) => Ok((rest, filter)),
            None => fail(rest, expected_close),
        }
    }

    /// `attrExp` or `valuePath`: the attribute path is parsed once, then we branch on `[`.
    fn attr_exp<'a>(&self, i: &'a str, level: Level) -> PResult<'a, Filter> {
        let (rest, path) = expect(EXPECT_TERM, attr_path).parse(i)?;
        if let Some(body) = rest.strip_prefix('[') {
            if level.in_value_filter {
                return fail(
                    rest,
                    "a comparison operator (value filters cannot be nested)",
                );
            }
            if path.sub.is_some() {
                return fail(
                    rest,
                    "a comparison operator (\"[\" cannot follow a sub-attribute)",
                );
            }
            let (rest, filter) = self.val_filter(rest, body, level)?;
            let (rest, then) = match rest.strip_prefix('.') {
                Some(after_dot) => {
                    let (after_name, sub) = expect(EXPECT_SUB, attr_name).parse(after_dot)?;
                    let (rest, op) = attr_op(after_name)?;
                    (
                        rest,
                        Some(Box::new(SubAttrTest {
                            sub: sub.to_owned(),
                            op,
                        })),
                    )
                }
                None => (rest, None),
            };
            return Ok((
                rest,
                Filter::ValuePath {
                    attr: path,
                    filter: Box::new(filter),
                    then,
                },
            ));
        }
        let (rest, op) = attr_op(rest)?;
        Ok((rest, Filter::Attr { path, op }))
    }

    /// `"[" valFilter "]"`: `open` is the input at `[`, `body` just after it.
    fn val_filter<'a>(&self, open: &'a str, body: &'a str, level: Level) -> PResult<'a, Filter> {
        let inner = self.enter(open, level)?;
        self.group_body(
            body,
            Level {
                in_value_filter: true,
                ..inner
            },
            ']',
            EXPECT_AFTER_BRACKET,
        )
    }
}

/// `SP kw SP` after an operand. `Ok(None)` when the keyword is not there (nothing consumed);
/// an error when the keyword is there but not followed by a space.
fn logical_keyword<'a>(
    i: &'a str,
    kw: &'static str,
) -> Result<Option<&'a str>, nom::Err<Fail<'a>>> {
    let Ok((after_ws, _)) = space1::<_, Fail>(i) else {
        return Ok(None);
    };
    let Ok((after_kw, _)) = tag_no_case::<_, _, Fail>(kw).parse(after_ws) else {
        return Ok(None);
    };
    match after_kw.chars().next() {
        // `andrew eq 1`, `orgUnit pr`: a name, not the keyword.
        Some(c) if is_name_char(c) || c == '.' || c == ':' || c == '[' => Ok(None),
        Some(' ' | '\t') => Ok(Some(ws0(after_kw))),
        // `a pr and` at the end: let the operand parser report what is missing.
        None => Ok(Some(after_kw)),
        Some(_) => Err(syntax_error(after_kw, EXPECT_SPACE)),
    }
}

/// The rest after a `not` keyword (case-insensitive, followed by a space, `(` or the end);
/// `None` when `not` starts an attribute name such as `notes`.
fn not_keyword(i: &str) -> Option<&str> {
    let (rest, _) = tag_no_case::<_, _, Fail>("not").parse(i).ok()?;
    match rest.chars().next() {
        None | Some(' ' | '\t' | '(') => Some(rest),
        _ => None,
    }
}

/// `attrPath = [URI ":"] ATTRNAME *1subAttr`. A URN (it starts with `urn:`) is split at its
/// last `:` because URNs contain dots (`...:enterprise:2.0:User:manager.value`).
pub(crate) fn attr_path(i: &str) -> PResult<'_, AttrPath> {
    let (i, urn) = if tag_no_case::<_, _, Fail>("urn:").parse(i).is_ok() {
        let (_, run) = take_while::<_, _, Fail>(|c: char| {
            is_name_char(c) || matches!(c, ':' | '.' | '$' | '%' | '+')
        })
        .parse(i)?;
        let colon = run.rfind(':').unwrap_or(0);
        let urn = &run[..colon];
        // urn:NID:NSS, no empty segment.
        if urn.split(':').count() < 3 || urn.split(':').any(str::is_empty) {
            return Err(sticky_error(
                i,
                "a schema URN (urn:NID:NSS) before the attribute name",
            ));
        }
        (&i[colon + 1..], Some(urn.to_owned()))
    } else {
        (i, None)
    };
    let (i, name) = expect(EXPECT_NAME, attr_name).parse(i)?;
    let (i, sub) = match i.strip_prefix('.') {
        Some(after_dot) => {
            let (i, sub) = expect(EXPECT_SUB, attr_name).parse(after_dot)?;
            (i, Some(sub.to_owned()))
        }
        None => (i, None),
    };
    Ok((
        i,
        AttrPath {
            urn,
            name: name.to_owned(),
            sub,
        },
    ))
}

/// `ATTRNAME = ALPHA *(nameChar)`, plus `$ref` (RFC 7643 uses it for references).
fn attr_name(i: &str) -> PResult<'_, &str> {
    if let Ok((rest, _)) = tag_no_case::<_, _, Fail>("$ref").parse(i) {
        if !rest.starts_with(is_name_char) {
            return Ok((rest, &i[..4]));
        }
    }
    if !i.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return fail(i, EXPECT_NAME);
    }
    take_while1(is_name_char).parse(i)
}

/// `SP "pr"` or `SP compareOp SP compValue`.
fn attr_op(i: &str) -> PResult<'_, AttrOp> {
    let (i, _) = expect(EXPECT_OP, space1).parse(i)?;
    let (rest, word) =
        expect(EXPECT_OP, take_while1(|c: char| c.is_ascii_alphanumeric())).parse(i)?;
    if word.eq_ignore_ascii_case("pr") {
        return Ok((rest, AttrOp::Pr));
    }
    let Some(op) = compare_op(word) else {
        return fail(i, EXPECT_OP);
    };
    if rest.is_empty() {
        return fail(rest, EXPECT_VALUE);
    }
    let (rest, _) = expect(EXPECT_SPACE, space1).parse(rest)?;
    let (rest, value) = comp_value(rest)?;
    Ok((rest, AttrOp::Compare { op, value }))
}

/// `compareOp = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "lt" / "ge" / "le"` (case-insensitive).
fn compare_op(word: &str) -> Option<CompareOp> {
    const OPS: [(&str, CompareOp); 9] = [
        ("eq", CompareOp::Eq),
        ("ne", CompareOp::Ne),
        ("co", CompareOp::Co),
        ("sw", CompareOp::Sw),
        ("ew", CompareOp::Ew),
        ("gt", CompareOp::Gt),
        ("lt", CompareOp::Lt),
        ("ge", CompareOp::Ge),
        ("le", CompareOp::Le),
    ];
    OPS.iter()
        .find(|(name, _)| word.eq_ignore_ascii_case(name))
        .map(|&(_, op)| op)
}

/// `compValue = false / null / true / number / string`.
fn comp_value(i: &str) -> PResult<'_, CompValue> {
    if i.starts_with('"') {
        let (rest, s) = string(i)?;
        return Ok((rest, CompValue::String(s)));
    }
    let (rest, token) =
        take_while(|c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '_'))
            .parse(i)?;
    let value = if token.eq_ignore_ascii_case("true") {
        CompValue::Bool(true)
    } else if token.eq_ignore_ascii_case("false") {
        CompValue::Bool(false)
    } else if token.eq_ignore_ascii_case("null") {
        CompValue::Null
    } else if let Some(n) = number(token) {
        CompValue::Number(n)
    } else {
        return fail(i, EXPECT_VALUE);
    };
    Ok((rest, value))
}

/// A JSON number (RFC 8259 §6): `-? (0 / [1-9] DIGIT*) [. DIGIT+] [(e/E) [+/-] DIGIT+]`.
fn number(token: &str) -> Option<serde_json::Number> {
    let b = token.as_bytes();
    let mut k = usize::from(b.first() == Some(&b'-'));
    let digits = |k: &mut usize| {
        let start = *k;
        while b.get(*k).is_some_and(u8::is_ascii_digit) {
            *k += 1;
        }
        *k > start
    };
    match b.get(k) {
        Some(b'0') => k += 1,
        Some(b'1'..=b'9') => {
            digits(&mut k);
        }
        _ => return None,
    }
    if b.get(k) == Some(&b'.') {
        k += 1;
        if !digits(&mut k) {
            return None;
        }
    }
    if matches!(b.get(k), Some(b'e' | b'E')) {
        k += 1;
        if matches!(b.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        if !digits(&mut k) {
            return None;
        }
    }
    if k != b.len() {
        return None;
    }
    serde_json::from_str(token).ok()
}

/// A JSON string with every escape; `i` starts at the opening quote.
fn string(i: &str) -> PResult<'_, String> {
    let body = &i[1..];
    let bytes = body.as_bytes();
    let mut decoded: Option<String> = None;
    let mut copied_to = 0;
    let mut k = 0;
    loop {
        let Some(&b) = bytes.get(k) else {
            return fail(&body[k..], EXPECT_QUOTE);
        };
        match b {
            b'"' => {
                let s = match decoded {
                    None => body[..k].to_owned(),
                    Some(mut s) => {
                        s.push_str(&body[copied_to..k]);
                        s
                    }
                };
                return Ok((&body[k + 1..], s));
            }
            b'\\' => {
                let s = decoded.get_or_insert_with(String::new);
                s.push_str(&body[copied_to..k]);
                let (c, len) = escape(&body[k..])?;
                s.push(c);
                k += len;
                copied_to = k;
            }
            0x00..=0x1f => return fail(&body[k..], "an escaped control character (e.g. \\n)"),
            _ => k += 1,
        }
    }
}

/// One escape sequence at `i` (which starts with `\`): the character and the bytes used.
fn escape(i: &str) -> Result<(char, usize), nom::Err<Fail<'_>>> {
    let simple = match i.as_bytes().get(1) {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => return unicode_escape(i),
        _ => {
            return Err(syntax_error(
                i,
                "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)",
            ));
        }
    };
    Ok((simple, 2))
}

/// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`; lone surrogates are refused.
fn unicode_escape(i: &str) -> Result<(char, usize), nom::Err<Fail<'_>>> {
    let err = |at, expected| Err(syntax_error(at, expected));
    let hex4 = |s: &str| {
        let h = s.get(..4)?;
        if h.bytes().all(|b| b.is_ascii_hexdigit()) {
            u32::from_str_radix(h, 16).ok()
        } else {
            None
        }
    };
    let Some(first) = i.get(2..).and_then(hex4) else {
        return err(i, "four hex digits after \\u");
    };
    match first {
        0xD800..=0xDBFF => {
            let second = i.get(6..).filter(|s| s.starts_with("\\u"));
            let Some(low) = second.and_then(|s| s.get(2..)).and_then(hex4) else {
                return err(i, "a high surrogate followed by a \\u low surrogate");
            };
            if !(0xDC00..=0xDFFF).contains(&low) {
                return err(i, "a high surrogate followed by a \\u low surrogate");
            }
            let c = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
            match char::from_u32(c) {
                Some(c) => Ok((c, 12)),
                None => err(i, "a valid unicode escape"),
            }
        }
        0xDC00..=0xDFFF => err(i, "a unicode escape that is not a lone low surrogate"),
        _ => match char::from_u32(first) {
            Some(c) => Ok((c, 6)),
            None => err(i, "a valid unicode escape"),
        },
    }
}

/// The token shown as "found" in messages.
fn found_token(at: &str) -> &str {
    let mut chars = at.char_indices();
    let end = match chars.next() {
        None => 0,
        Some((_, '\\')) => at
            .char_indices()
            .nth(if at[1..].starts_with('u') { 6 } else { 2 })
            .map_or(at.len(), |(k, _)| k),
        Some((_, c)) if is_name_char(c) || matches!(c, '$' | '.' | ':') => at
            .char_indices()
            .find(|&(_, c)| !(is_name_char(c) || matches!(c, '$' | '.' | ':')))
            .map_or(at.len(), |(k, _)| k),
        Some((_, c)) => c.len_utf8(),
    };
    // Keep messages short: at most 30 characters.
    match at[..end].char_indices().nth(30) {
        Some((k, _)) => &at[..k],
        None => &at[..end],
    }
}

fn to_error(input: &str, err: nom::Err<Fail<'_>>) -> ParseError {
    let fail = match err {
        nom::Err::Error(f) | nom::Err::Failure(f) => f,
        nom::Err::Incomplete(_) => Fail {
            at: "",
            expected: Cow::Borrowed("more input"),
            kind: ParseErrorKind::Syntax,
            sticky: false,
        },
    };
    let offset = input.len().saturating_sub(fail.at.len());
    let column = input.get(..offset).map_or(1, |s| s.chars().count() + 1);
    let message = match fail.kind {
        ParseErrorKind::TooDeep => format!("nested too deeply, expected {}", fail.expected),
        _ if fail.at.is_empty() => format!("unexpected end of input, expected {}", fail.expected),
        _ => format!(
            "expected {}, found {:?}",
            fail.expected,
            found_token(fail.at)
        ),
    };
    ParseError {
        kind: fail.kind,
        column,
        expected: fail.expected.into_owned(),
        message,
    }
}

/// Rejects inputs over `max_len` bytes. The column is the first character that does not fit
/// entirely within `max_len` bytes (so `max_len + 1` for ASCII input).
fn check_len(input: &str, max_len: usize) -> Result<(), ParseError> {
    if input.len() <= max_len {
        return Ok(());
    }
    let column = input
        .char_indices()
        .take_while(|&(k, c)| k + c.len_utf8() <= max_len)
        .count()
        + 1;
    Err(ParseError {
        kind: ParseErrorKind::TooLong,
        column,
        expected: format!("at most {max_len} bytes"),
        message: format!(
            "input is {} bytes long, longer than the limit of {max_len} bytes",
            input.len()
        ),
    })
}

/// Requires the end of input after optional trailing whitespace.
fn end<'a>(i: &'a str, expected: &'static str) -> PResult<'a, ()> {
    let i = ws0(i);
    if i.is_empty() {
        Ok((i, ()))
    } else {
        fail(i, expected)
    }
}

const TOP: Level = Level {
    depth: 0,
    in_value_filter: false,
};

pub(crate) fn filter(input: &str, limits: &Limits) -> Result<Filter, ParseError> {
    check_len(input, limits.max_len)?;
    let grammar = Grammar {
        max_depth: limits.max_depth,
    };
    whole_filter(&grammar, input)
        .map(|(_, f)| f)
        .map_err(|e| to_error(input, e))
}

fn whole_filter<'a>(grammar: &Grammar, i: &'a str) -> PResult<'a, Filter> {
    let (i, f) = grammar.log_exp(ws0(i), TOP)?;
    let (i, ()) = end(i, EXPECT_AFTER_TOP)?;
    Ok((i, f))
}

pub(crate) fn attr_path_only(input: &str) -> Result<AttrPath, ParseError> {
    whole_attr_path(input)
        .map(|(_, p)| p)
        .map_err(|e| to_error(input, e))
}

fn whole_attr_path(i: &str) -> PResult<'_, AttrPath> {
    let (i, p) = expect(EXPECT_NAME, attr_path).parse(ws0(i))?;
    let (i, ()) = end(i, "the end of the attribute path")?;
    Ok((i, p))
}

pub(crate) fn attr_list(input: &str) -> Result<Vec<AttrPath>, ParseError> {
    whole_attr_list(input)
        .map(|(_, p)| p)
        .map_err(|e| to_error(input, e))
}

/// `attrPath *(*WSP "," *WSP attrPath)`; an empty list or a trailing comma is an error.
fn whole_attr_list(i: &str) -> PResult<'_, Vec<AttrPath>> {
    let mut paths = Vec::new();
    let (mut i, first) = expect(EXPECT_NAME, attr_path).parse(ws0(i))?;
    paths.push(first);
    loop {
        let rest = ws0(i);
        let Some(after_comma) = rest.strip_prefix(',') else {
            let (i, ()) = end(rest, "\",\" or the end of the list")?;
            return Ok((i, paths));
        };
        let (rest, path) = expect(EXPECT_NAME, attr_path).parse(ws0(after_comma))?;
        paths.push(path);
        i = rest;
    }
}

pub(crate) fn patch_path(input: &str, limits: &Limits) -> Result<PatchPath, ParseError> {
    check_len(input, limits.max_len)?;
    let grammar = Grammar {
        max_depth: limits.max_depth,
    };
    whole_patch_path(&grammar, input)
        .map(|(_, p)| p)
        .map_err(|e| to_error(input, e))
}

/// RFC 7644 §3.5.2: `PATH = attrPath / valuePath [subAttr]`.
fn whole_patch_path<'a>(grammar: &Grammar, i: &'a str) -> PResult<'a, PatchPath> {
    let (i, attr) = expect(EXPECT_NAME, attr_path).parse(ws0(i))?;
    let Some(body) = i.strip_prefix('[') else {
        let (i, ()) = end(i, "\"[\" or the end of the path")?;
        let path = PatchPath {
            attr,
            filter: None,
            sub: None,
        };
        return Ok((i, path));
    };
    if attr.sub.is_some() {
        return fail(
            i,
            "the end of the path (\"[\" cannot follow a sub-attribute)",
        );
    }
    let (i, filter) = grammar.val_filter(i, body, TOP)?;
    let (i, sub) = match i.strip_prefix('.') {
        Some(after_dot) => {
            let (i, sub) = expect(EXPECT_SUB, attr_name).parse(after_dot)?;
            (i, Some(sub.to_owned()))
        }
        None => (i, None),
    };
    let (i, ()) = end(i, "\".\" or the end of the path")?;
    let path = PatchPath {
        attr,
        filter: Some(filter),
        sub,
    };
    Ok((i, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// How many times [`Grammar::term`] ran on this thread.
        pub(super) static TERMS_PARSED: Cell<usize> = const { Cell::new(0) };
    }

    fn terms_parsed_for(input: &str) -> usize {
        TERMS_PARSED.with(|n| n.set(0));
        let parsed = filter(input, &Limits::default());
        assert!(parsed.is_ok(), "{input}: {parsed:?}");
        TERMS_PARSED.with(Cell::get)
    }

    /// Every operand is parsed exactly once: no alternative is tried and then re-parsed, so
    /// the work is linear in the input however deep it nests.
    #[test]
    fn each_term_is_parsed_exactly_once_at_depth_sixty() {
        // Each level adds one group or `not` term and one attribute term.
        let mut input =
            String::from("emails[type eq \"work\" and (value co \"x\" or not (primary eq true))]");
        let mut terms = 6; // emails[..], type, (..), value, not (..), primary
        for level in 0..57 {
            input = if level % 2 == 0 {
                format!("(a{level} pr and {input}) or b{level} eq {level}")
            } else {
                format!("not ({input}) and c{level} pr")
            };
            terms += if level % 2 == 0 { 3 } else { 2 };
        }
        assert_eq!(terms_parsed_for(&input), terms);
        // A flat filter with the same number of terms costs the same.
        let flat = vec!["a pr"; terms].join(" and ");
        assert_eq!(terms_parsed_for(&flat), terms);
    }

    #[test]
    fn number_follows_json_grammar() {
        for ok in ["0", "-0", "12", "-1.5", "1e5", "1E+5", "2.5e-3"] {
            assert!(number(ok).is_some(), "{ok}");
        }
        for bad in ["01", "1.", ".5", "+1", "-", "1e", "1e400", "0x1", ""] {
            assert!(number(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn found_token_is_short_and_char_safe() {
        assert_eq!(found_token("eqq \"x\""), "eqq");
        assert_eq!(found_token(")"), ")");
        assert_eq!(found_token("é"), "é");
        assert_eq!(found_token("\\u12"), "\\u12");
        assert_eq!(found_token(&"a".repeat(100)).len(), 30);
    }
}
