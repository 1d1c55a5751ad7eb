//! Redis's glob-style patterns (`KEYS`, `SCAN ... MATCH`): the semantics of
//! `stringmatchlen` in Redis's `util.c`, byte-wise, compiled once.
//!
//! - `*` matches any sequence of bytes (consecutive stars act as one);
//! - `?` matches any one byte;
//! - `[abc]` one byte from the set, `[^abc]` one byte not in it, `[a-z]` a range (a
//!   reversed range such as `[z-a]` is swapped; endpoints compare as C's signed `char`,
//!   so a range reaching a byte `>= 0x80` behaves as Redis does on x86), `[]` matches
//!   nothing and `[^]` any byte;
//! - `\x` matches `x` literally, inside brackets too; a trailing `\` is a literal `\`;
//! - a `[` class without its `]` runs to the end of the pattern;
//! - every other byte matches itself.
//!
//! With [`Pattern::new_nocase`], ASCII letters match either case, except (as in Redis)
//! an escaped byte inside brackets, which still compares exactly.
//!
//! Quirks kept from Redis: the empty string is matched only by the empty pattern and by
//! the pattern `*` exactly (`KEYS` and `SCAN` special-case `*`; `**` does not match the
//! empty key). And, as Redis does against abusive patterns since the CVE-2024-31228
//! fix, a pattern with more than 1000 `*` groups followed by something else matches no
//! non-empty string.
//!
//! Matching takes O(pattern × string) time at worst (an iterative matcher that only
//! backtracks to the last `*`), with fast paths for literal, `prefix*`, `*suffix` and
//! `*infix*` patterns.

use std::fmt;

use memchr::memmem;

/// How many `*` recursions Redis allows (`nesting > 1000` fails the match).
const MAX_NESTING: usize = 1000;

/// A compiled Redis glob pattern.
#[derive(Clone)]
pub struct Pattern {
    raw: Box<[u8]>,
    nocase: bool,
    matcher: Matcher,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pattern")
            .field("pattern", &self.raw.escape_ascii().to_string())
            .field("nocase", &self.nocase)
            .finish_non_exhaustive()
    }
}

/// One element of a compiled pattern. Every variant but `Star` matches exactly one byte.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    /// One or more consecutive `*`.
    Star,
    /// This exact byte.
    Byte(u8),
    /// This ASCII lowercase letter, in either case (nocase patterns).
    Fold(u8),
    /// `?`.
    Any,
    /// A bracket class, as a 256-bit set of the bytes it accepts.
    Set([u64; 4]),
}

impl Token {
    #[inline]
    fn accepts(&self, c: u8) -> bool {
        match self {
            Self::Star | Self::Any => true,
            Self::Byte(b) => c == *b,
            Self::Fold(l) => c.to_ascii_lowercase() == *l,
            Self::Set(bits) => bits
                .get(usize::from(c >> 6))
                .is_some_and(|w| (w >> (c & 63)) & 1 == 1),
        }
    }
}

#[derive(Clone)]
enum Matcher {
    /// Exactly the pattern `*`: everything, the empty string included.
    All,
    /// Only stars (e.g. `**`): every non-empty string.
    NonEmpty,
    /// Nothing but the empty string (too many `*` groups, see [`MAX_NESTING`]).
    Never,
    /// Equal to these bytes (ASCII case folded if `fold`).
    Exact { lit: Box<[u8]>, fold: bool },
    /// Starts with these bytes.
    Prefix { lit: Box<[u8]>, fold: bool },
    /// Ends with these bytes.
    Suffix { lit: Box<[u8]>, fold: bool },
    /// Contains these (case-sensitive, non-empty) bytes.
    Contains(Box<memmem::Finder<'static>>),
    /// Anything else.
    General(Box<[Token]>),
}

/// One item of a bracket class, as Redis's loop reads it.
enum ClassItem {
    /// `\x`: compared exactly, even in nocase mode.
    Escaped(u8),
    /// `a-b`.
    Range(u8, u8),
    /// Any other byte.
    Literal(u8),
}

/// glibc's `tolower` in the "C" locale on a signed `char` value: ASCII letters are
/// lowered, and (glibc's table serving signed chars) -128..=-2 come back as 128..=254,
/// while -1 is `EOF` and stays -1. Matters for nocase ranges reaching bytes >= 0x80.
fn c_tolower(c: i32) -> i32 {
    if (i32::from(b'A')..=i32::from(b'Z')).contains(&c) {
        c + 32
    } else if (-128..=-2).contains(&c) {
        c + 256
    } else {
        c
    }
}

/// A byte as C's signed `char` (x86 Linux), widened to `int`.
fn signed(b: u8) -> i32 {
    i32::from(b as i8)
}

impl ClassItem {
    fn accepts(&self, c: u8, nocase: bool) -> bool {
        match *self {
            Self::Escaped(e) => e == c,
            Self::Literal(l) => {
                if nocase {
                    l.eq_ignore_ascii_case(&c)
                } else {
                    l == c
                }
            }
            Self::Range(a, b) => {
                let (mut start, mut end, mut c) = (signed(a), signed(b), signed(c));
                if start > end {
                    std::mem::swap(&mut start, &mut end);
                }
                if nocase {
                    start = c_tolower(start);
                    end = c_tolower(end);
                    c = c_tolower(c);
                }
                start <= c && c <= end
            }
        }
    }
}

/// Parses a bracket class whose body starts at `pattern[i]` (just after `[`); returns the
/// set of accepted bytes and the index just past the class.
fn parse_class(pattern: &[u8], mut i: usize, nocase: bool) -> ([u64; 4], usize) {
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut items = Vec::new();
    loop {
        match (pattern.get(i), pattern.get(i + 1), pattern.get(i + 2)) {
            (None, _, _) => break, // unterminated: the class runs to the end of the pattern
            (Some(b'\\'), Some(&e), _) => {
                items.push(ClassItem::Escaped(e));
                i += 2;
            }
            (Some(b']'), _, _) => {
                i += 1;
                break;
            }
            (Some(&a), Some(b'-'), Some(&b)) => {
                items.push(ClassItem::Range(a, b));
                i += 3;
            }
            (Some(&l), _, _) => {
                items.push(ClassItem::Literal(l));
                i += 1;
            }
        }
    }
    let mut bits = [0u64; 4];
    for c in 0..=255u8 {
        if items.iter().any(|item| item.accepts(c, nocase)) != negate
            && let Some(word) = bits.get_mut(usize::from(c >> 6))
        {
            *word |= 1 << (c & 63);
        }
    }
    (bits, i)
}

/// Splits a pattern into tokens, reading it exactly as `stringmatchlen` does.
fn tokenize(pattern: &[u8], nocase: bool) -> Vec<Token> {
    let literal = |b: u8| {
        if nocase && b.is_ascii_alphabetic() {
            Token::Fold(b.to_ascii_lowercase())
        } else {
            Token::Byte(b)
        }
    };
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&b) = pattern.get(i) {
        match b {
            b'*' => {
                if tokens.last() != Some(&Token::Star) {
                    tokens.push(Token::Star);
                }
                i += 1;
            }
            b'?' => {
                tokens.push(Token::Any);
                i += 1;
            }
            b'[' => {
                let (bits, next) = parse_class(pattern, i + 1, nocase);
                tokens.push(Token::Set(bits));
                i = next;
            }
            b'\\' => match pattern.get(i + 1) {
                Some(&e) => {
                    tokens.push(literal(e));
                    i += 2;
                }
                None => {
                    tokens.push(Token::Byte(b'\\'));
                    i += 1;
                }
            },
            _ => {
                tokens.push(literal(b));
                i += 1;
            }
        }
    }
    tokens
}

/// The bytes of a run of literal tokens, and whether it needs case folding; `None` if the
/// run holds anything else.
fn literal_run(tokens: &[Token]) -> Option<(Box<[u8]>, bool)> {
    let mut fold = false;
    let lit = tokens
        .iter()
        .map(|t| match t {
            Token::Byte(b) => Some(*b),
            Token::Fold(l) => {
                fold = true;
                Some(*l)
            }
            _ => None,
        })
        .collect::<Option<Box<[u8]>>>()?;
    Some((lit, fold))
}

fn compile(raw: &[u8], nocase: bool) -> Matcher {
    if raw == b"*" {
        return Matcher::All;
    }
    let tokens = tokenize(raw, nocase);
    let inner_stars = tokens.split_last().map_or(0, |(_, init)| {
        init.iter().filter(|t| **t == Token::Star).count()
    });
    if inner_stars > MAX_NESTING {
        return Matcher::Never;
    }
    if !tokens.is_empty() && tokens.iter().all(|t| *t == Token::Star) {
        return Matcher::NonEmpty;
    }
    let starts = tokens.first() == Some(&Token::Star);
    let ends = tokens.last() == Some(&Token::Star);
    let body = match (starts, ends) {
        (true, true) => tokens.get(1..tokens.len() - 1),
        (true, false) => tokens.get(1..),
        (false, true) => tokens.get(..tokens.len() - 1),
        (false, false) => Some(tokens.as_slice()),
    };
    if let Some((lit, fold)) = body.and_then(literal_run) {
        match (starts, ends) {
            (false, false) => return Matcher::Exact { lit, fold },
            (false, true) => return Matcher::Prefix { lit, fold },
            (true, false) => return Matcher::Suffix { lit, fold },
            (true, true) if !fold => {
                return Matcher::Contains(Box::new(memmem::Finder::new(&*lit).into_owned()));
            }
            (true, true) => {}
        }
    }
    Matcher::General(tokens.into_boxed_slice())
}

fn eq_bytes(a: &[u8], b: &[u8], fold: bool) -> bool {
    if fold {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// The first position at or after `from` where `first` (the token after a `*`) can match.
#[inline]
fn next_start(first: Option<&Token>, s: &[u8], from: usize) -> Option<usize> {
    let rest = s.get(from..)?;
    match first {
        Some(Token::Byte(b)) => memchr::memchr(*b, rest).map(|k| from + k),
        Some(t) => rest.iter().position(|&c| t.accepts(c)).map(|k| from + k),
        None => None,
    }
}

/// Glob matching of a non-empty `s`, backtracking only to the most recent `*`: once the
/// rest of the pattern after a star has been tried at every later position, no earlier
/// star can help (the argument behind Redis's `skipLongerMatches`).
fn match_general(tokens: &[Token], s: &[u8]) -> bool {
    let mut p = 0;
    let mut i = 0;
    // After the last star seen: the token index just after it, and where the current
    // attempt at matching the rest started in `s`.
    let mut star: Option<(usize, usize)> = None;
    loop {
        match tokens.get(p) {
            Some(Token::Star) => {
                p += 1;
                if p == tokens.len() {
                    return true;
                }
                let Some(at) = next_start(tokens.get(p), s, i) else {
                    return false;
                };
                star = Some((p, at));
                i = at;
                continue;
            }
            Some(t) => {
                if let Some(&c) = s.get(i)
                    && t.accepts(c)
                {
                    p += 1;
                    i += 1;
                    continue;
                }
            }
            None if i == s.len() => return true,
            None => {}
        }
        // Mismatch: retry the rest after the last star one position further on.
        let Some((sp, si)) = star else {
            return false;
        };
        let Some(at) = next_start(tokens.get(sp), s, si + 1) else {
            return false;
        };
        star = Some((sp, at));
        p = sp;
        i = at;
    }
}

impl Pattern {
    /// Compiles a case-sensitive pattern (as `KEYS` and `SCAN MATCH` use).
    pub fn new(pattern: &[u8]) -> Self {
        Self::build(pattern, false)
    }

    /// Compiles a pattern where ASCII letters match either case (Redis's `nocase`).
    pub fn new_nocase(pattern: &[u8]) -> Self {
        Self::build(pattern, true)
    }

    fn build(pattern: &[u8], nocase: bool) -> Self {
        Self {
            raw: pattern.into(),
            nocase,
            matcher: compile(pattern, nocase),
        }
    }

    /// Whether `s` matches, as `KEYS pattern` would list key `s`.
    pub fn matches(&self, s: &[u8]) -> bool {
        if s.is_empty() {
            return self.raw.is_empty() || matches!(self.matcher, Matcher::All);
        }
        match &self.matcher {
            Matcher::All | Matcher::NonEmpty => true,
            Matcher::Never => false,
            Matcher::Exact { lit, fold } => eq_bytes(lit, s, *fold),
            Matcher::Prefix { lit, fold } => s
                .get(..lit.len())
                .is_some_and(|head| eq_bytes(lit, head, *fold)),
            Matcher::Suffix { lit, fold } => s
                .len()
                .checked_sub(lit.len())
                .and_then(|at| s.get(at..))
                .is_some_and(|tail| eq_bytes(lit, tail, *fold)),
            Matcher::Contains(finder) => finder.find(s).is_some(),
            Matcher::General(tokens) => match_general(tokens, s),
        }
    }

    /// The pattern as given.
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(pattern: &[u8], s: &[u8]) -> bool {
        Pattern::new(pattern).matches(s)
    }

    /// (pattern, string, expected) — checked against Redis 7.0.15 (`KEYS`) or its
    /// `stringmatchlen`.
    const CASES: &[(&[u8], &[u8], bool)] = &[
        // Literals and `?`.
        (b"abc", b"abc", true),
        (b"abc", b"abd", false),
        (b"abc", b"ab", false),
        (b"abc", b"abcd", false),
        (b"a?c", b"abc", true),
        (b"a?c", b"ac", false),
        (b"???", b"\x00\xff\n", true),
        // Stars.
        (b"*", b"anything", true),
        (b"*", b"", true), // KEYS/SCAN short-circuit "*"
        (b"**", b"", false),
        (b"**", b"x", true),
        (b"", b"", true),
        (b"", b"a", false),
        (b"a*", b"a", true),
        (b"a*", b"abc", true),
        (b"a*", b"ba", false),
        (b"a**", b"a", true),
        (b"*c", b"abc", true),
        (b"*c", b"c", true),
        (b"*c", b"ab", false),
        (b"*b*", b"abc", true),
        (b"*b*", b"b", true),
        (b"*b*", b"ac", false),
        (b"a*b*c", b"aXbYc", true),
        (b"a*b*c", b"abc", true),
        (b"a*b*c", b"acb", false),
        (b"*a*a*", b"aa", true),
        (b"*a*a*", b"a", false),
        (b"h*llo", b"heeeello", true),
        (b"*?", b"x", true),
        (b"?*", b"", false),
        // Classes.
        (b"h[ae]llo", b"hello", true),
        (b"h[ae]llo", b"hallo", true),
        (b"h[ae]llo", b"hillo", false),
        (b"h[^e]llo", b"hallo", true),
        (b"h[^e]llo", b"hello", false),
        (b"h[a-b]llo", b"hbllo", true),
        (b"h[a-b]llo", b"hcllo", false),
        (b"[z-a]", b"m", true), // reversed range is swapped
        (b"[a-]", b"a", true),  // range a..']' (swapped), class runs to the end
        (b"[a-]", b"]", true),
        (b"[a-]", b"-", false),
        (b"[]", b"]", false),   // empty class
        (b"[]a]", b"a", false), // "[]" then literal "a]"
        (b"[]a]", b"xa]", false),
        (b"[^]", b"x", true), // negated empty class
        (b"[", b"[", false),  // lone '[': empty class
        (b"[^", b"q", true),
        (b"[abc", b"b", true), // unterminated class runs to the end of the pattern
        (b"[abc", b"bc", false),
        (b"[a\\]b]", b"]", true), // escape inside a class
        (b"[a\\]b]", b"\\", false),
        (b"[\\", b"\\", true), // trailing backslash inside a class is literal
        (b"[\\-z]", b"-", true),
        (b"[\\-z]", b"m", false),
        (b"[a-\xff]", b"\xff", true), // signed char: 'a'..-1 swaps to -1..'a'
        (b"[a-\xff]", b"\x00", true),
        (b"[a-\xff]", b"b", false),
        (b"[a-\xff]", b"\x80", false),
        (b"[\x80-\xff]", b"\x90", true),
        (b"[\x80-\xff]", b"a", false),
        // Escapes.
        (b"\\*", b"*", true),
        (b"\\*", b"a", false),
        (b"\\?", b"a", false),
        (b"a\\", b"a\\", true), // trailing backslash is literal
        (b"\\", b"\\", true),
        (b"\\[a]", b"[a]", true),
        (b"*\\*", b"abc*", true),
        (b"*\\*", b"abc", false),
        // Binary.
        (b"\x00*\xff", b"\x00abc\xff", true),
        (b"*\x00*", b"ab\x00cd", true),
    ];

    #[test]
    fn table_of_cases() {
        for &(pattern, s, expected) in CASES {
            let p = Pattern::new(pattern);
            assert_eq!(
                p.matches(s),
                expected,
                "pattern {:?} string {:?}",
                pattern.escape_ascii().to_string(),
                s.escape_ascii().to_string()
            );
            assert_eq!(p.as_bytes(), pattern);
        }
    }

    #[test]
    fn nocase() {
        let p = Pattern::new_nocase(b"HeLLo*");
        assert!(p.matches(b"hello world"));
        assert!(p.matches(b"HELLO"));
        assert!(!Pattern::new(b"HeLLo*").matches(b"hello"));
        assert!(Pattern::new_nocase(b"*WORLD").matches(b"hello world"));
        assert!(Pattern::new_nocase(b"*lo W*").matches(b"hello world"));
        assert!(Pattern::new_nocase(b"h[A-C]t").matches(b"hbt"));
        assert!(Pattern::new_nocase(b"h[a-c]t").matches(b"hBt"));
        assert!(Pattern::new_nocase(b"h[^a-c]t").matches(b"hDt"));
        assert!(!Pattern::new_nocase(b"h[^a-c]t").matches(b"hBt"));
        // Escaped bytes inside a class compare exactly, even with nocase.
        assert!(!Pattern::new_nocase(b"[\\A]").matches(b"a"));
        assert!(Pattern::new_nocase(b"\\A").matches(b"a"));
        // Endpoints are lowered after swapping: 'Z'..'a' becomes 'z'..'a', empty.
        assert!(!Pattern::new_nocase(b"[Z-a]").matches(b"_"));
        assert!(Pattern::new(b"[Z-a]").matches(b"_"));
        // glibc lowers a negative char to its unsigned value: 0x80..'Z' becomes 128..'z'.
        assert!(!Pattern::new_nocase(b"[\x80-Z]").matches(b"\x00"));
        assert!(Pattern::new(b"[\x80-Z]").matches(b"\x00"));
        assert!(Pattern::new_nocase(b"*").matches(b""));
        assert!(format!("{p:?}").contains("HeLLo*"));
    }

    #[test]
    fn nesting_limit() {
        let key = b"a".repeat(1001);
        assert!(m(&b"*a".repeat(1000), &key));
        assert!(!m(&b"*a".repeat(1001), &key));
        let mut p = b"*a".repeat(1000);
        p.push(b'*');
        assert!(m(&p, &key)); // the 1001st group is trailing
        p.extend_from_slice(b"a*");
        assert!(!m(&p, &key));
        assert!(!m(&b"*a".repeat(1001), b""));
    }

    #[test]
    fn adversarial_patterns_stay_fast() {
        let a10k = b"a".repeat(10_000);
        assert!(!m(b"a*a*a*a*a*a*a*b", &a10k));
        assert!(m(b"a*a*a*a*a*a*a*a", &a10k));
        assert!(!m(b"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b*", &a10k));
        assert!(!m(b"*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*[b]", &a10k));
        let many = b"*a".repeat(900);
        let mut p = many.clone();
        p.push(b'b');
        assert!(!m(&p, &a10k));
        assert!(m(&many, &a10k));
    }

    /// Reference: set-of-positions simulation over the tokens (pure language membership).
    fn reference(tokens: &[Token], s: &[u8]) -> bool {
        let mut states = vec![false; tokens.len() + 1];
        let close = |states: &mut Vec<bool>| {
            for k in 0..tokens.len() {
                if states[k] && tokens[k] == Token::Star {
                    states[k + 1] = true;
                }
            }
        };
        states[0] = true;
        close(&mut states);
        for &c in s {
            let mut next = vec![false; tokens.len() + 1];
            for k in 0..tokens.len() {
                if states[k] {
                    match &tokens[k] {
                        Token::Star => next[k] = true,
                        t if t.accepts(c) => next[k + 1] = true,
                        _ => {}
                    }
                }
            }
            states = next;
            close(&mut states);
        }
        states[tokens.len()]
    }

    fn pattern_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                4 => Just(b'*'),
                2 => Just(b'?'),
                2 => Just(b'['),
                2 => Just(b']'),
                1 => Just(b'^'),
                2 => Just(b'-'),
                1 => Just(b'\\'),
                8 => prop::sample::select(b"abcAB\x00\xff".to_vec()),
            ],
            0..14,
        )
    }

    fn subject() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop::sample::select(b"abcAB*?[]-\\^\x00\xff".to_vec()),
            0..24,
        )
    }

    proptest! {
        #[test]
        fn matcher_agrees_with_reference(pattern in pattern_bytes(), s in subject(), nocase: bool) {
            let p = if nocase { Pattern::new_nocase(&pattern) } else { Pattern::new(&pattern) };
            let tokens = tokenize(&pattern, nocase);
            let expected = if s.is_empty() {
                pattern.is_empty() || pattern == b"*"
            } else {
                reference(&tokens, &s)
            };
            prop_assert_eq!(p.matches(&s), expected);
            if !s.is_empty() {
                prop_assert_eq!(match_general(&tokens, &s), expected);
            }
        }

        #[test]
        fn fast_paths_agree_with_general(
            lit in proptest::collection::vec(prop::sample::select(b"abAB\x00".to_vec()), 0..4),
            shape in 0usize..4,
            s in subject(),
            nocase: bool,
        ) {
            let mut pattern = Vec::new();
            if shape & 1 == 1 { pattern.push(b'*'); }
            pattern.extend_from_slice(&lit);
            if shape & 2 == 2 { pattern.push(b'*'); }
            let p = if nocase { Pattern::new_nocase(&pattern) } else { Pattern::new(&pattern) };
            if !s.is_empty() {
                let tokens = tokenize(&pattern, nocase);
                prop_assert_eq!(p.matches(&s), match_general(&tokens, &s));
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(pattern in proptest::collection::vec(any::<u8>(), 0..32), s in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Pattern::new(&pattern).matches(&s);
            let _ = Pattern::new_nocase(&pattern).matches(&s);
        }
    }
}
