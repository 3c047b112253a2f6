//! JSON, written and read directly where it is hot: strings escaped as `serde_json`
//! escapes them ([`string`]); and a [`Reader`] that walks a request body once, handing
//! its caller the members it asks for as written and checking (not building)
//! everything else, as `serde_json` checks what it skips. What is kept is decoded with
//! `serde_json`.

/// Does this byte need escaping in a JSON string: a control character (below 0x20),
/// a quote or a backslash?
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Which of sixteen bytes need escaping, one bit each (bit i for byte i): with SSE2,
/// which every x86-64 processor has, three compares and one mask.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn escapes(block: &[u8; 16]) -> u32 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86-64, and the unaligned load reads exactly `block`.
    unsafe {
        let v = _mm_loadu_si128(block.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // Below 0x20 (unsigned): min(v, 0x1f) is v.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }
}

/// The same, a byte at a time, elsewhere (and to check the vector one against).
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
fn escapes_bytewise(block: &[u8; 16]) -> u32 {
    block.iter().enumerate().map(|(i, &b)| u32::from(needs_escape(b)) << i).fold(0, |m, bit| m | bit)
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
use escapes_bytewise as escapes;

/// `s` as a JSON string, quoted and escaped exactly as `serde_json` writes it: the
/// text between escapes copied whole, found sixteen bytes at a time.
pub fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    while let Some(at) = next_escape(bytes, start) {
        out.extend_from_slice(&bytes[start..at]);
        escape(out, bytes[at]);
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The index of the first byte at or after `from` that needs escaping: sixteen bytes
/// a step, then the last sixteen (overlapping what was checked, which is clean). Fewer
/// than sixteen left: the sixteen that end the text, minus those before `from`; or,
/// in a text shorter than that, byte by byte (copying a few bytes into a padded block
/// and loading it whole stalls the load until the copy is done).
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let n = bytes.len();
    if from >= n {
        return None;
    }
    let found = |at: usize, mask: u32| (mask != 0).then(|| at + mask.trailing_zeros() as usize);
    let mask_at = |at: usize| escapes(block(bytes, at).unwrap_or(&[b' '; 16]));
    if n - from < 16 {
        if n < 16 {
            return bytes[from..].iter().position(|&b| needs_escape(b)).map(|i| from + i);
        }
        let start = n - 16;
        return found(from, mask_at(start) >> (from - start));
    }
    let mut at = from;
    while at + 16 <= n {
        if let Some(i) = found(at, mask_at(at)) {
            return Some(i);
        }
        at += 16;
    }
    if at == n {
        return None;
    }
    found(n - 16, mask_at(n - 16))
}

/// The sixteen bytes at `at`, if there are so many.
fn block(bytes: &[u8], at: usize) -> Option<&[u8; 16]> {
    bytes.get(at..at + 16)?.try_into().ok()
}

/// One byte's escape, as `serde_json` writes it.
fn escape(out: &mut Vec<u8>, b: u8) {
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]),
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `n` in decimal, written at the end of `buf`: two digits a division (a Discord id
/// has nineteen).
pub fn decimal(n: u64, buf: &mut [u8; 20]) -> &str {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
                                5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";
    let mut at = buf.len();
    let mut n = n;
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        at -= 2;
        buf[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        at -= 2;
        buf[at..at + 2].copy_from_slice(&PAIRS[n as usize * 2..n as usize * 2 + 2]);
    } else {
        at -= 1;
        buf[at] = b'0' + n as u8;
    }
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// Where a body stops being JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} at byte {at}")]
pub struct Syntax {
    pub at: usize,
    pub expected: &'static str,
}

/// How deep arrays and objects may nest: 128 levels (`serde_json` decodes 127 and skips
/// any depth; a Discord interaction nests four).
const MAX_DEPTH: u32 = 128;

/// A JSON text being read, front to back. Like `serde_json` skipping a value, it
/// checks the structure and the escapes, and leaves the UTF-8 of what it only skips
/// unchecked; what is kept is checked when decoded.
pub struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(body: &'a [u8]) -> Reader<'a> {
        Reader { text: body, at: 0 }
    }

    fn error(&self, expected: &'static str) -> Syntax {
        Syntax { at: self.at, expected }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text
    }

    /// The next byte that is not white space, not consumed.
    pub fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes().get(self.at) {
            self.at += 1;
        }
        self.bytes().get(self.at).copied()
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), Syntax> {
        if self.peek() != Some(byte) {
            return Err(self.error(expected));
        }
        self.at += 1;
        Ok(())
    }

    /// Nothing but white space is left.
    pub fn finish(&mut self) -> Result<(), Syntax> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("the end")),
        }
    }

    /// An object: `member(reader, key, depth)` for each member, which must read or skip
    /// its value. Keys are given as written, escapes and all.
    pub fn object(
        &mut self,
        depth: u32,
        mut member: impl FnMut(&mut Self, &'a [u8], u32) -> Result<(), Syntax>,
    ) -> Result<(), Syntax> {
        self.sequence(depth, (b'{', "'{'"), (b'}', "',' or '}'"), |r, depth| {
            if r.peek() != Some(b'"') {
                return Err(r.error("a key"));
            }
            let key = r.string()?;
            r.expect(b':', "':'")?;
            member(r, &key[1..key.len() - 1], depth)
        })
    }

    /// An array: `item(reader, depth)` for each element, which must read or skip it.
    pub fn array(&mut self, depth: u32, item: impl FnMut(&mut Self, u32) -> Result<(), Syntax>) -> Result<(), Syntax> {
        self.sequence(depth, (b'[', "'['"), (b']', "',' or ']'"), item)
    }

    /// What objects and arrays share: the opening bracket, the items one level deeper
    /// with commas between them, the closing bracket; and the nesting limit.
    fn sequence(
        &mut self,
        depth: u32,
        (open, expected_open): (u8, &'static str),
        (close, expected_next): (u8, &'static str),
        mut item: impl FnMut(&mut Self, u32) -> Result<(), Syntax>,
    ) -> Result<(), Syntax> {
        if depth >= MAX_DEPTH {
            return Err(self.error("less nesting"));
        }
        self.expect(open, expected_open)?;
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(());
        }
        loop {
            item(self, depth + 1)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(next) if next == close => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.error(expected_next)),
            }
        }
    }

    /// The next value, checked, as the text it is written as.
    pub fn raw(&mut self, depth: u32) -> Result<&'a [u8], Syntax> {
        self.peek();
        let start = self.at;
        self.skip(depth)?;
        Ok(&self.text[start..self.at])
    }

    /// Check the next value and go past it.
    pub fn skip(&mut self, depth: u32) -> Result<(), Syntax> {
        match self.peek() {
            Some(b'{') => self.object(depth, |r, _, depth| r.skip(depth)),
            Some(b'[') => self.array(depth, |r, depth| r.skip(depth)),
            Some(b'"') => self.string().map(drop),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("a value")),
        }
    }

    fn literal(&mut self, word: &'static str) -> Result<(), Syntax> {
        if !self.text[self.at..].starts_with(word.as_bytes()) {
            return Err(self.error("true, false or null"));
        }
        self.at += word.len();
        Ok(())
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Result<(), Syntax> {
        let bytes = self.bytes();
        let digits = |at: &mut usize| {
            let start = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at > start
        };
        let mut at = self.at;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        match bytes.get(at) {
            Some(b'0') => at += 1,
            Some(b'1'..=b'9') => {
                digits(&mut at);
            }
            _ => return Err(Syntax { at, expected: "a digit" }),
        }
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            if !digits(&mut at) {
                return Err(Syntax { at, expected: "a digit" });
            }
        }
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            if !digits(&mut at) {
                return Err(Syntax { at, expected: "a digit" });
            }
        }
        self.at = at;
        Ok(())
    }

    /// A string, quotes included, escapes checked but not decoded. No control
    /// characters inside, as JSON has it. Most strings (keys, ids, words) end within
    /// thirty-two bytes with nothing escaped: a look at sixteen bytes or two decides.
    #[inline]
    fn string(&mut self) -> Result<&'a [u8], Syntax> {
        let start = self.at;
        for from in [start + 1, start + 17] {
            let Some(block) = block(self.text, from) else { break };
            let mask = escapes(block);
            if mask != 0 {
                let end = from + mask.trailing_zeros() as usize;
                if self.text[end] != b'"' {
                    break;
                }
                self.at = end + 1;
                return Ok(&self.text[start..self.at]);
            }
        }
        self.string_with_escapes()
    }

    #[inline(never)]
    fn string_with_escapes(&mut self) -> Result<&'a [u8], Syntax> {
        let bytes = self.bytes();
        let start = self.at;
        let mut at = start + 1;
        loop {
            let Some(stop) = next_escape(bytes, at) else {
                self.at = bytes.len();
                return Err(self.error("'\"'"));
            };
            match bytes[stop] {
                b'"' => {
                    self.at = stop + 1;
                    return Ok(&self.text[start..self.at]);
                }
                b'\\' => {
                    at = stop + 2;
                    match bytes.get(stop + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                        Some(b'u')
                            if bytes.get(stop + 2..stop + 6).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            at = stop + 6
                        }
                        _ => {
                            self.at = stop;
                            return Err(self.error("an escape"));
                        }
                    }
                }
                _ => {
                    self.at = stop;
                    return Err(self.error("no control character"));
                }
            }
        }
    }
}

/// A string value written without escapes, as the text between its quotes; `None`
/// for anything else (which `serde_json` decodes), or for text that is not UTF-8.
pub fn plain_string(raw: &[u8]) -> Option<&str> {
    let inner = raw.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    if inner.contains(&b'\\') {
        return None;
    }
    std::str::from_utf8(inner).ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in [
            "",
            "plain",
            "a\"b\\c\nd\re\tf\u{8}g\u{c}h\u{1}i\u{1f}j\u{7f}",
            "seven b\"",
            "eight by\"",
            "\"\"\"\"\"\"\"\"\"\"",
            "中文“引号”与\n换行：一二三四五六七八九十",
            "0123456789abcdef\n0123456789abcdef\\",
        ] {
            assert_eq!(escaped(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    /// The writer at every block edge: every length up to 48, with one or two bytes to
    /// escape at every position (the step that copies whole blocks, the cut back to an
    /// escape, the tail checked in the last sixteen bytes, and the short text).
    #[test]
    fn strings_are_escaped_at_every_block_edge() {
        for len in 0..=48 {
            let plain: String = (0..len).map(|i| if i % 3 == 0 { 'é' } else { 'a' }).collect();
            let chars: Vec<char> = plain.chars().collect();
            for special in ['"', '\\', '\n', '\u{1}'] {
                for i in 0..chars.len() {
                    // j past the end: the one escape alone.
                    for j in i + 1..=chars.len() {
                        let mut c = chars.clone();
                        c[i] = special;
                        if let Some(second) = c.get_mut(j) {
                            *second = '\t';
                        }
                        let s: String = c.into_iter().collect();
                        assert_eq!(escaped(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
                    }
                }
            }
            assert_eq!(escaped(&plain), serde_json::to_string(&plain).unwrap());
        }
    }

    proptest! {
        /// The sixteen-byte search finds what a byte-by-byte one finds, from any
        /// starting point: every length's head, body and tail, matches anywhere.
        #[test]
        fn the_next_escape_is_the_first_byte_to_escape(
            bytes in prop::collection::vec(prop_oneof![Just(b'"'), Just(b'\\'), Just(0u8), Just(0x1f), Just(b' '), Just(0x7f), Just(0x80), Just(0xff), any::<u8>()], 0..70)
        ) {
            let needs = |b: &u8| *b < 0x20 || *b == b'"' || *b == b'\\';
            for from in 0..=bytes.len() + 1 {
                let expected = bytes.get(from..).and_then(|rest| rest.iter().position(needs)).map(|i| from + i);
                prop_assert_eq!(next_escape(&bytes, from), expected, "from {}", from);
            }
        }

        #[test]
        fn numbers_are_written_in_decimal(n in prop_oneof![0u64..1000, any::<u64>(), Just(u64::MAX)]) {
            let mut buf = [0; 20];
            prop_assert_eq!(decimal(n, &mut buf), n.to_string());
        }

        #[test]
        fn the_vector_mask_is_the_bytewise_one(block in prop::array::uniform16(prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x21, 0x7e_u8..=0xff, any::<u8>()])) {
            prop_assert_eq!(escapes(&block), escapes_bytewise(&block));
        }

        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in "\\PC*|[\\x00-\\x7f]{0,40}|[\"\\\\\\x00-\\x1f a中]{0,40}") {
            prop_assert_eq!(escaped(&s), serde_json::to_string(&s).unwrap());
        }
    }

    /// Any JSON value, a few levels deep, with strings that need escaping.
    pub(crate) fn value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            "\\PC{0,12}|[\"\\\\\\x00-\\x1f a中]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z\"\\\\]{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn ours(bytes: &[u8]) -> Result<(), Syntax> {
        let mut r = Reader::new(bytes);
        r.skip(0)?;
        r.finish()
    }

    proptest! {
        /// Whatever `serde_json` writes, compact or pretty, reads back whole.
        #[test]
        fn reads_what_serde_json_writes(v in value(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.unwrap();
            let mut r = Reader::new(text.as_bytes());
            prop_assert_eq!(r.raw(0).unwrap(), text.as_bytes());
            prop_assert!(r.finish().is_ok());
        }

        /// A damaged text (cut short, a byte changed or put in) is refused exactly
        /// when `serde_json` refuses it.
        #[test]
        fn refuses_what_serde_json_refuses(v in value(), at in any::<prop::sample::Index>(), byte in any::<u8>(), how in 0..3u8) {
            let mut bytes = serde_json::to_vec(&v).unwrap();
            let i = at.index(bytes.len() + 1);
            match how {
                0 => bytes.truncate(i),
                1 if i < bytes.len() => bytes[i] = byte,
                _ => bytes.insert(i, byte),
            }
            let theirs = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok();
            prop_assert_eq!(ours(&bytes).is_ok(), theirs, "{}", String::from_utf8_lossy(&bytes));
        }
    }

    /// Strings whose end, escape or control character falls at either edge of the
    /// reader's first two sixteen-byte looks, or near the end of the text: read, or
    /// refused at the same byte, as the general loop reads them; and refused exactly when
    /// `serde_json` refuses them.
    #[test]
    fn strings_at_the_edges_of_the_fast_path() {
        for len in 0..=40 {
            let mut contents = vec!["a".repeat(len)];
            for at in 0..len {
                for odd in ["\\n", "\t", "\\q"] {
                    let mut content = "a".repeat(len);
                    content.replace_range(at..at + 1, odd);
                    contents.push(content);
                }
            }
            for content in &contents {
                // Closed, then nothing or up to seventeen bytes after it; or never closed.
                let closed = ["", " ", "        ", "                 "].map(|tail| format!("\"{content}\"{tail}"));
                for text in closed.into_iter().chain([format!("\"{content}")]) {
                    let mut fast = Reader::new(text.as_bytes());
                    let mut slow = Reader::new(text.as_bytes());
                    let (f, s) = (fast.string(), slow.string_with_escapes());
                    assert_eq!((f, fast.at), (s, slow.at), "{text:?}");
                    let serde = serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok();
                    assert_eq!(ours(text.as_bytes()).is_ok(), serde, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn what_is_refused_says_where() {
        assert_eq!(ours(b"{\"a\" 1}"), Err(Syntax { at: 5, expected: "':'" }));
        assert_eq!(ours(b"[1,]"), Err(Syntax { at: 3, expected: "a value" }));
        assert_eq!(ours(b"01"), Err(Syntax { at: 1, expected: "the end" }));
        for (number, at) in [("1.", 2), ("1e", 2), ("1e+", 3), ("-", 1), ("-.5", 1), ("2.e5", 2)] {
            assert_eq!(ours(number.as_bytes()), Err(Syntax { at, expected: "a digit" }), "{number}");
        }
        assert_eq!(ours(b"\"a\tb\""), Err(Syntax { at: 2, expected: "no control character" }));
        assert_eq!(ours(b"\"\\x\""), Err(Syntax { at: 1, expected: "an escape" }));
        assert_eq!(ours(b"\"open"), Err(Syntax { at: 5, expected: "'\"'" }));
        assert!(ours(&[b'"', 0xff, b'"']).is_ok(), "skipped, as serde_json skips it");
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(ours(deep.as_bytes()).unwrap_err().expected, "less nesting");
        assert!(ours(b" {\"a\" : [1, -0.5e+3, true, false, null, \"\\u00e9\\n\"]} ").is_ok());
        assert_eq!(plain_string(b"\"abc\""), Some("abc"));
        assert_eq!(plain_string(b"\"a\\nb\""), None);
        assert_eq!(plain_string(b"12"), None);
        assert_eq!(plain_string(&[b'"', 0xff, b'"']), None);
    }
}
