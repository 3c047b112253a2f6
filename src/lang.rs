//! The two languages imlaws answers in.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `en`, `zh`, or a locale such as `en-US`, `zh-CN`, `zh-TW`.
    pub fn parse(s: &str) -> Option<Lang> {
        let base = s.trim().split(['-', '_']).next().unwrap_or("");
        if base.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else if base.eq_ignore_ascii_case("zh") {
            Some(Lang::Zh)
        } else {
            None
        }
    }

    /// A Discord locale: `zh-CN` and `zh-TW` answer in Chinese, anything else in English.
    pub fn from_locale(locale: &str) -> Lang {
        match Lang::parse(locale) {
            Some(Lang::Zh) => Lang::Zh,
            _ => Lang::En,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// Replace `{name}` placeholders. Unknown names are left as they are.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + vars.iter().map(|(_, v)| v.len()).sum::<usize>());
    fill_into(&mut out, template, vars);
    out
}

/// [`fill`], appending to `out`.
pub fn fill_into(out: &mut String, template: &str, vars: &[(&str, &str)]) {
    fill_with_into(out, template, |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| *v))
}

/// Replace `{name}` placeholders with what `value` gives; names it does not know stay.
pub fn fill_with<'v>(template: &str, value: impl Fn(&str) -> Option<&'v str>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    fill_with_into(&mut out, template, value);
    out
}

fn fill_with_into<'v>(out: &mut String, template: &str, value: impl Fn(&str) -> Option<&'v str>) {
    // Templates are short: a plain byte search beats setting up a char searcher.
    let find = |s: &str, byte: u8| s.bytes().position(|b| b == byte);
    let mut rest = template;
    while let Some(open) = find(rest, b'{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match find(after, b'}') {
            Some(close) => {
                let name = &after[..close];
                match value(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
}

/// The `{name}` placeholders a template uses.
pub fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(name, _)| name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales() {
        assert_eq!(Lang::from_locale("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_locale("zh-TW"), Lang::Zh);
        assert_eq!(Lang::from_locale("en-US"), Lang::En);
        assert_eq!(Lang::from_locale("ja"), Lang::En);
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(fill("a {x} b {y} {z}", &[("x", "1"), ("y", "2")]), "a 1 b 2 {z}");
        assert_eq!(fill("open { brace", &[]), "open { brace");
        assert_eq!(placeholders("{a} and {b}").collect::<Vec<_>>(), ["a", "b"]);
    }
}
