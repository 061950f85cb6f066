//! Japanese and English (issue #6). The English text is the key: templates and code say
//! `t("Waiting for your review")`, and the Japanese catalog (`i18n/ja.rs`) is looked up for
//! Japanese pages, so anything untranslated falls back to English and stays readable.
//!
//! The language of a request is decided once, by [`negotiate`] (the user's stored choice,
//! then the `sendgate_lang` cookie, then `Accept-Language`, then English), in the
//! [`crate::web::language`] middleware, which runs the handler inside [`scope`]. Code that
//! renders (the page layout, times, labels) reads it with [`current`], so page constructors
//! keep their signatures. Outside a request (CLI, unit tests) the language is English.

mod ja;
mod ja_first_day;
mod ja_gate;
mod ja_greeting;
mod ja_incidents;
mod ja_insights;
mod ja_live;
mod ja_media;
mod ja_scenarios;
mod ja_trust;
mod ja_words;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Offset, Timelike, Utc};
use chrono_tz::Tz;

/// The cookie that keeps a signed-out visitor's choice.
pub const LANG_COOKIE: &str = "sendgate_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    Ja,
    #[default]
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// User setting > cookie > Accept-Language > English.
pub fn negotiate(user: Option<Lang>, cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
    user.or_else(|| cookie.and_then(Lang::parse))
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or_default()
}

/// The supported language the browser prefers most (by `q`, then by order), if any.
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim();
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        let Some(lang) = Lang::parse(primary) else {
            continue;
        };
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// Runs `f` with `lang` as the language of everything it renders.
pub async fn scope<F: Future>(lang: Lang, f: F) -> F::Output {
    CURRENT.scope(lang, f).await
}

/// The language of the request being handled (English outside a request).
pub fn current() -> Lang {
    CURRENT.try_with(|l| *l).unwrap_or_default()
}

/// Every Japanese entry: the core catalog and one per later area, so areas can be
/// translated side by side.
fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    ja::ENTRIES
        .iter()
        .chain(ja_scenarios::ENTRIES)
        .chain(ja_incidents::ENTRIES)
        .chain(ja_gate::ENTRIES)
        .chain(ja_insights::ENTRIES)
        .chain(ja_live::ENTRIES)
        .chain(ja_trust::ENTRIES)
        .chain(ja_media::ENTRIES)
        .chain(ja_greeting::ENTRIES)
        .chain(ja_words::ENTRIES)
        .chain(ja_first_day::ENTRIES)
        .copied()
}

fn catalog() -> &'static HashMap<&'static str, &'static str> {
    static CATALOG: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    CATALOG.get_or_init(|| entries().collect())
}

/// Whether `key` has a Japanese entry.
pub fn has_japanese(key: &str) -> bool {
    catalog().contains_key(key)
}

/// `key` in `lang`: the Japanese entry, or the English key itself.
pub fn t_in(lang: Lang, key: &str) -> &str {
    match lang {
        Lang::En => key,
        Lang::Ja => catalog().get(key).copied().unwrap_or(key),
    }
}

/// Text in `lang`, also when it is a message already filled in by the domain ("You can only
/// review the current revision 3."): an exact entry first, then an entry whose `{…}`
/// placeholders match the text's values, which are carried into the Japanese (and
/// translated themselves when they are known words, such as a draft state). Anything else
/// stays English.
pub fn translate(lang: Lang, text: &str) -> Cow<'_, str> {
    if lang == Lang::En {
        return Cow::Borrowed(text);
    }
    if let Some(ja) = catalog().get(text) {
        return Cow::Borrowed(ja);
    }
    for (key, ja) in patterns() {
        if let Some(values) = match_pattern(key, text) {
            let mut out = ja.to_string();
            for (name, value) in placeholders(key).iter().zip(values) {
                out = out.replace(&format!("{{{name}}}"), &translate_short(lang, value));
            }
            return Cow::Owned(out);
        }
    }
    translate_short(lang, text)
}

/// A short text or a value inside a message: an exact entry, or a short entry whose `{n}`
/// placeholders hold numbers ("5 hours", "Line 4", "message 2 (altText)"), so a count
/// anchors the match. Anything else stays as it is.
fn translate_short(lang: Lang, text: &str) -> Cow<'_, str> {
    if lang == Lang::En {
        return Cow::Borrowed(text);
    }
    if let Some(ja) = catalog().get(text) {
        return Cow::Borrowed(ja);
    }
    for (key, ja) in short_patterns() {
        let Some(values) = match_pattern(key, text) else {
            continue;
        };
        let names = placeholders(key);
        let numeric = |v: &str| {
            v.chars().all(|c| c.is_ascii_digit() || c == ',')
                && v.chars().any(|c| c.is_ascii_digit())
        };
        if names
            .iter()
            .zip(&values)
            .any(|(n, v)| *n == "n" && !numeric(v))
        {
            continue;
        }
        // Without a count to anchor it ("Enter the {label}."), every value must be a
        // known word or a figure ("day {days} at {time}": 3, 18:00), so the short key
        // cannot swallow an unrelated text.
        let figure = |v: &str| {
            v.chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == ':')
                && v.chars().any(|c| c.is_ascii_digit())
        };
        if !names.contains(&"n") && !values.iter().all(|v| has_japanese(v) || figure(v)) {
            continue;
        }
        let mut out = ja.to_string();
        for (name, value) in names.iter().zip(values) {
            // A value is shorter than the text, so this ends: "Message 2: {problem}".
            let value = if *name == "n" {
                Cow::Borrowed(value)
            } else {
                translate(lang, value)
            };
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        return Cow::Owned(out);
    }
    Cow::Borrowed(text)
}

/// Entries with an `{n}` placeholder too short to be [`patterns`], matched only when their
/// `{n}` values are numbers.
fn short_patterns() -> &'static [(&'static str, &'static str)] {
    static SHORT: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    SHORT.get_or_init(|| {
        entries()
            .filter(|(key, _)| {
                let names = placeholders(key);
                let fixed: usize = literal_parts(key).iter().map(|l| l.chars().count()).sum();
                !names.is_empty() && fixed < 15 && fixed > 0
            })
            .collect()
    })
}

/// Entries with placeholders and enough fixed text to be matched safely against filled-in
/// messages (a bare "Line {n}" would match far too much).
fn patterns() -> &'static [(&'static str, &'static str)] {
    static PATTERNS: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    let fixed = |key: &str| -> usize { literal_parts(key).iter().map(|l| l.chars().count()).sum() };
    PATTERNS.get_or_init(|| {
        let mut patterns: Vec<_> = entries()
            .filter(|(key, _)| !placeholders(key).is_empty() && fixed(key) >= 15)
            .collect();
        // The most specific first: "Uses {n} of the {l} messages left this month ({u} of
        // {lim} used)." also matches "… ({used} used)." with `used` = "1 of 30,000".
        patterns.sort_by_key(|(key, _)| std::cmp::Reverse(fixed(key)));
        patterns
    })
}

/// The fixed text around the placeholders of a key: `"a {x} b {y}"` gives `["a ", " b ", ""]`.
fn literal_parts(key: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = key;
    loop {
        match rest
            .find('{')
            .and_then(|s| rest[s..].find('}').map(|e| (s, s + e)))
        {
            Some((start, end)) => {
                parts.push(&rest[..start]);
                rest = &rest[end + 1..];
            }
            None => {
                parts.push(rest);
                return parts;
            }
        }
    }
}

/// The values of `key`'s placeholders in `text`, when `text` is `key` filled in.
pub fn match_pattern<'t>(key: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let parts = literal_parts(key);
    let (first, rest) = parts.split_first()?;
    let (last, middle) = rest.split_last()?;
    let mut body = text.strip_prefix(first)?.strip_suffix(last)?;
    let mut values = Vec::new();
    for literal in middle {
        if literal.is_empty() {
            return None;
        }
        let at = body.find(literal)?;
        values.push(&body[..at]);
        body = &body[at + literal.len()..];
    }
    values.push(body);
    (values.iter().all(|v| !v.is_empty())).then_some(values)
}

/// [`translate`] in the current request's language, owned.
pub fn tr(text: &str) -> String {
    translate(current(), text).into_owned()
}

/// `key` in the current request's language.
pub fn t(key: &str) -> &str {
    t_in(current(), key)
}

/// `key` in `lang` with its `{name}` placeholders filled by `args`, in the order the
/// placeholders first appear in the English key (so a translation may reorder them).
///
/// One pass over the text: a value is written where its placeholder stands and is never
/// searched again, so a value that itself contains `{…}` stays as it is.
pub fn tf_in(lang: Lang, key: &str, args: &[&dyn Display]) -> String {
    use std::fmt::Write;
    let names = placeholders(key);
    let text = t_in(lang, key);
    let mut out = String::with_capacity(text.len() + 8 * args.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let filled = after.find('}').and_then(|end| {
            let value = names.iter().position(|n| *n == &after[..end])?;
            Some((args.get(value)?, end))
        });
        match filled {
            Some((value, end)) => {
                let _ = write!(out, "{value}");
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// [`tf_in`] in the current request's language.
pub fn tf(key: &str, args: &[&dyn Display]) -> String {
    tf_in(current(), key, args)
}

/// The distinct `{name}` placeholders of a key, in order of first appearance.
pub fn placeholders(key: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    let mut rest = key;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !names.contains(&name)
        {
            names.push(name);
        }
        rest = &after[end + 1..];
    }
    names
}

/// A time in the account's zone with its abbreviation and offset:
/// ja `2026年11月20日 10:00 JST (+09:00)`, en `20 Nov 2026 10:00 JST (+09:00)`.
///
/// Written field by field: a list page formats dozens of times, and chrono's pattern
/// formatter showed in the page benchmark's profile.
pub fn format_time(lang: Lang, at: DateTime<Utc>, tz: Tz) -> String {
    use std::fmt::Write;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let local = at.with_timezone(&tz);
    let offset = local.offset().fix().local_minus_utc() / 60;
    let sign = if offset < 0 { '-' } else { '+' };
    let (offset_h, offset_m) = (offset.abs() / 60, offset.abs() % 60);
    // The zone's abbreviation ("JST"), as chrono's `%Z` writes it.
    let zone = local.offset();
    let (hour, minute) = (local.hour(), local.minute());
    let mut out = String::with_capacity(40);
    let _ = match lang {
        Lang::Ja => write!(
            out,
            "{}年{}月{}日 {hour:02}:{minute:02} {zone} ({sign}{offset_h:02}:{offset_m:02})",
            local.year(),
            local.month(),
            local.day(),
        ),
        Lang::En => write!(
            out,
            "{} {} {} {hour:02}:{minute:02} {zone} ({sign}{offset_h:02}:{offset_m:02})",
            local.day(),
            MONTHS[local.month0() as usize],
            local.year(),
        ),
    };
    out
}

/// A count with thousands separators (both languages write `12,340`).
pub fn format_number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The literal keys passed to `t("…")`, `t1("…")`, `t2("…")`, `t3("…")` and `tf("…")` in a
/// source or template text (for the "nothing left untranslated" test).
pub fn keys_used_in(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let bytes = source.as_bytes();
    for call in ["t(\"", "t1(\"", "t2(\"", "t3(\"", "tf(\""] {
        let mut from = 0;
        while let Some(pos) = source[from..].find(call) {
            let start = from + pos;
            from = start + call.len();
            let before = start.checked_sub(1).map(|i| bytes[i]);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                continue;
            }
            let mut key = String::new();
            let mut chars = source[from..].chars();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('n') => key.push('\n'),
                        Some(other) => key.push(other),
                        None => break,
                    },
                    _ => key.push(c),
                }
            }
            keys.push(key);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn files_under(dir: &std::path::Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                files_under(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_key_used_in_templates_and_code_has_a_japanese_entry() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        files_under(&root.join("templates"), "html", &mut files);
        files_under(&root.join("src"), "rs", &mut files);
        let mut missing = Vec::new();
        let mut seen = 0;
        // This module's own tests hold sample calls.
        files.retain(|f| !f.ends_with("src/i18n.rs"));
        for file in &files {
            let text = std::fs::read_to_string(file).expect("readable file");
            for key in keys_used_in(&text) {
                seen += 1;
                if !has_japanese(&key) && !missing.contains(&key) {
                    missing.push(key);
                }
            }
        }
        assert!(seen > 100, "the scan found only {seen} keys");
        assert!(
            missing.is_empty(),
            "{} keys have no Japanese entry in src/i18n/ja.rs:\n{}",
            missing.len(),
            missing
                .iter()
                .map(|k| format!("    (\"{k}\", \"\"),"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// The string literals inside the parentheses of every `call` in `source` (before its
    /// unit tests), as written (escapes undone, line continuations joined).
    fn literals_in_calls(source: &str, call: &str) -> Vec<String> {
        let source = source.split("#[cfg(test)]").next().unwrap_or(source);
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(pos) = source[from..].find(call) {
            let start = from + pos + call.len();
            from = start;
            let mut depth = 1;
            let mut chars = source[start..].chars().peekable();
            while depth > 0 {
                let Some(c) = chars.next() else { break };
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    '\'' => {
                        // A char literal ('"'), or a lifetime: skip a quoted char.
                        let mut ahead = chars.clone();
                        let first = ahead.next();
                        let closes = if first == Some('\\') {
                            ahead.next();
                            ahead.next() == Some('\'')
                        } else {
                            ahead.next() == Some('\'')
                        };
                        if closes {
                            chars = ahead;
                        }
                    }
                    '"' => {
                        let mut lit = String::new();
                        while let Some(c) = chars.next() {
                            match c {
                                '"' => break,
                                '\\' => match chars.next() {
                                    Some('n') => lit.push('\n'),
                                    Some('\n') => {
                                        while chars.peek().is_some_and(|c| c.is_whitespace()) {
                                            chars.next();
                                        }
                                    }
                                    Some(other) => lit.push(other),
                                    None => break,
                                },
                                _ => lit.push(c),
                            }
                        }
                        out.push(lit);
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// A text with each `{…}` written as `{}` (`{{`/`}}` as single braces first), so a key
    /// and a format string of the same message compare equal.
    fn shape(text: &str) -> String {
        let text = text.replace("{{", "\u{1}").replace("}}", "\u{2}");
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            match rest[start..].find('}') {
                Some(end) => {
                    out.push_str("{}");
                    rest = &rest[start + end + 1..];
                }
                None => {
                    rest = &rest[start..];
                    break;
                }
            }
        }
        out.push_str(rest);
        out.replace('\u{1}', "{").replace('\u{2}', "}")
    }

    /// A format string with each `{…}` filled by a sample number and `{{`/`}}` undone.
    fn filled_sample(format: &str) -> String {
        let mut out = String::new();
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    out.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    out.push('}');
                }
                '{' => {
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                    }
                    out.push('7');
                }
                _ => out.push(c),
            }
        }
        out
    }

    #[test]
    fn every_flash_refusal_and_field_error_written_in_code_has_a_japanese_entry() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        files_under(&root.join("src"), "rs", &mut files);
        files.retain(|f| !f.to_string_lossy().contains("/src/i18n"));
        let calls = [
            "redirect_with(",
            "AppError::Conflict(",
            "AppError::Forbidden(",
            "AppError::invalid(",
            "FieldError::new(",
            "int_in(",
        ];
        let mut missing = Vec::new();
        let mut seen = 0;
        for file in &files {
            let source = std::fs::read_to_string(file).expect("readable file");
            for call in calls {
                for lit in literals_in_calls(&source, call) {
                    let sample = filled_sample(&lit);
                    // Paths, field names and bare values are not messages.
                    if lit.starts_with('/')
                        || !sample.contains(' ')
                        || !sample.chars().any(|c| c.is_ascii_alphabetic())
                    {
                        continue;
                    }
                    seen += 1;
                    let translated = translate(Lang::Ja, &sample) != sample
                        || translate(Lang::Ja, &lit) != lit
                        || entries().any(|(key, _)| shape(key) == shape(&lit));
                    if !translated {
                        let name = file
                            .strip_prefix(root)
                            .unwrap_or(file)
                            .display()
                            .to_string();
                        missing.push(format!("{name}: {lit:?}"));
                    }
                }
            }
        }
        assert!(seen > 100, "the scan found only {seen} messages");
        assert!(
            missing.is_empty(),
            "{} messages have no Japanese entry:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    #[test]
    fn japanese_entries_use_the_words_of_a_line_marketing_team() {
        // /work/shared/reference/line-glossary-ja.md: internal and engineering words.
        let banned = [
            "ゲートチェックリスト",
            "ゲート",
            "リビジョン",
            "ハッシュ",
            "スナップショット",
            "バッチ",
            "マルチキャスト",
            "ブロードキャスト",
            "プッシュ",
            "レビュアー",
            "マーケター",
            "ドラフト",
            "クォータ",
            "クワイエット",
            "ウェルカムメッセージ",
            "イメージマップ",
            "メッセージオブジェクト",
            "フォロワー",
        ];
        let mut found = Vec::new();
        for (en, ja) in entries() {
            for term in banned {
                if ja.contains(term) {
                    found.push(format!("{term} in {en:?}: {ja}"));
                }
            }
            if ja.replace("カメラロール", "").contains("ロール") {
                found.push(format!("ロール in {en:?}: {ja}"));
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
        assert_eq!(t_in(Lang::Ja, "Revision {n}"), "第{n}版");
        assert_eq!(t_in(Lang::Ja, "Reviewer"), "確認者");
    }

    #[test]
    fn the_scan_finds_keys_in_templates_and_code_but_not_in_other_calls() {
        let keys = keys_used_in(
            r#"{{ layout.t("Hello") }} tf("A {n}", &[&n]) format!("x") t1("Say \"hi\"", n)"#,
        );
        assert_eq!(keys, vec!["Hello", "Say \"hi\"", "A {n}"]);
    }

    #[test]
    fn every_japanese_entry_keeps_the_placeholders_of_its_key() {
        for (en, ja) in entries() {
            let mut a = placeholders(en);
            let mut b = placeholders(ja);
            a.sort();
            b.sort();
            assert_eq!(a, b, "placeholders differ for {en:?}");
        }
    }

    #[test]
    fn the_users_choice_beats_the_cookie_which_beats_the_browser() {
        assert_eq!(negotiate(Some(Lang::En), Some("ja"), Some("ja")), Lang::En);
        assert_eq!(negotiate(None, Some("ja"), Some("en")), Lang::Ja);
        assert_eq!(
            negotiate(None, Some("fr"), Some("ja-JP,ja;q=0.9")),
            Lang::Ja
        );
        assert_eq!(negotiate(None, None, None), Lang::En);
        assert_eq!(negotiate(None, None, Some("fr-FR, de")), Lang::En);
    }

    #[test]
    fn accept_language_picks_the_highest_weighted_supported_language() {
        assert_eq!(
            from_accept_language("en-US,en;q=0.9,ja;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            from_accept_language("fr;q=1, ja;q=0.5, en;q=0.3"),
            Some(Lang::Ja)
        );
        assert_eq!(from_accept_language("ja;q=0"), None);
        assert_eq!(from_accept_language("JA-jp"), Some(Lang::Ja));
    }

    #[test]
    fn untranslated_text_falls_back_to_english_and_placeholders_can_move() {
        assert_eq!(t_in(Lang::Ja, "no such key here"), "no such key here");
        assert_eq!(t_in(Lang::Ja, "Dashboard"), "ダッシュボード");
        assert_eq!(
            tf_in(Lang::En, "{n} drafts wait for your review", &[&2]),
            "2 drafts wait for your review"
        );
        assert_eq!(
            tf_in(Lang::Ja, "{n} drafts wait for your review", &[&2]),
            "2件の下書きがあなたのレビューを待っています"
        );
        assert_eq!(placeholders("{a} of {b} and {a}"), vec!["a", "b"]);
    }

    #[test]
    fn filling_in_is_one_pass_so_values_are_never_filled_in_again() {
        // A title that looks like a placeholder stays as the marketer typed it.
        assert_eq!(
            tf_in(
                Lang::En,
                "Your draft “{title}” is ready to release",
                &[&"{title} {x"]
            ),
            "Your draft “{title} {x” is ready to release"
        );
        // A placeholder used twice gets its value twice; braces that are not a placeholder
        // of the key, or have no value, stay.
        assert_eq!(
            tf_in(Lang::En, "{a} of {b} and {a} {c} {", &[&1, &2]),
            "1 of 2 and 1 {c} {"
        );
    }

    #[test]
    fn messages_filled_in_by_the_domain_are_translated_with_their_values() {
        assert_eq!(
            translate(Lang::Ja, "You can only review the current revision 3."),
            "レビューできるのは最新の第3版だけです。"
        );
        assert_eq!(
            translate(
                Lang::Ja,
                "This draft is not in review (it is a draft); reviews are taken after it is submitted and before it is released."
            ),
            "この下書きはレビュー中ではありません（現在: 下書き）。レビューは、レビューに出された後、配信される前に行います。"
        );
        assert_eq!(translate(Lang::Ja, "Line 4: nonsense"), "Line 4: nonsense");
        assert_eq!(
            translate(Lang::En, "You can only review the current revision 3."),
            "You can only review the current revision 3."
        );
    }

    #[test]
    fn text_length_and_placeholder_findings_are_translated_with_their_values() {
        use crate::domain::checks::{CheckContext, check_content};
        use crate::domain::message::Message;
        let long = "あ".repeat(5_001);
        let problems = Message::Text { text: long }.problems();
        assert_eq!(
            translate(Lang::Ja, &problems[0].message),
            "テキストは5,001文字あります。LINEで送れるのは5,000文字まで（UTF-16単位で数えます）です。"
        );
        use crate::domain::message::Messages;
        use crate::domain::revision::{DraftKind, RevisionContent, Title};
        let content = RevisionContent::new(
            DraftKind::Broadcast,
            Title::parse("t").unwrap(),
            Messages::new(vec![Message::Text {
                text: "こんにちは {{name}} さん、[日付]まで".into(),
            }])
            .unwrap(),
            false,
            None,
            None,
        )
        .unwrap();
        let findings = check_content(&content, &CheckContext::default());
        let f = findings
            .iter()
            .find(|f| f.code == crate::domain::checks::codes::PLACEHOLDER)
            .expect("a placeholder finding");
        assert_eq!(
            translate(Lang::Ja, &f.message),
            "仮の文字列“{{name}}”, “[日付]”が残っています。送信前に実際の文面に置き換えてください。（角かっこ[ ]は仮の文字列とみなします。見出しには【】を使ってください。）"
        );
        assert_eq!(
            translate(Lang::Ja, f.location.as_deref().unwrap()),
            "メッセージ1"
        );
        assert_eq!(
            translate(Lang::Ja, "message 2 (altText)"),
            "メッセージ2（altText）"
        );
        assert_eq!(translate(Lang::En, &f.message), f.message);
        assert_eq!(translate(Lang::Ja, "message two"), "message two");
    }

    #[test]
    fn gate_reasons_with_counts_are_translated_with_their_counts() {
        assert_eq!(
            translate(Lang::Ja, "1 of 2 approvals."),
            "承認は2件中1件です。"
        );
        assert_eq!(
            translate(Lang::Ja, "2 errors must be fixed first."),
            "先に2件のエラーを直す必要があります。"
        );
        assert_eq!(
            translate(
                Lang::Ja,
                "1 reviewer requested changes and must approve a revision first."
            ),
            "1人の確認者が修正を依頼しています。先にその確認者が新しい版を承認する必要があります。"
        );
    }

    #[test]
    fn editor_errors_keep_their_message_number_and_translate_the_problem() {
        let errors =
            crate::domain::message::Messages::parse(&[crate::domain::message::MessageInput {
                kind: "raw".into(),
                raw_json: r#"{"type": "audio", "originalContentUrl": "https://example.com/a.m4a"}"#
                    .into(),
                ..Default::default()
            }])
            .unwrap_err();
        assert_eq!(
            translate(Lang::Ja, &errors[0].message),
            "メッセージ1: 音声メッセージには\"duration\"（ミリ秒）が必要です。"
        );
        assert_eq!(
            translate(
                Lang::Ja,
                "Message 2: quickReply.items has 14 items; LINE allows at most 13."
            ),
            "メッセージ2: quickReply.itemsは14件あります。LINEで使えるのは13件までです。"
        );
    }

    #[test]
    fn the_preview_age_is_translated_with_its_hours_or_minutes() {
        use crate::domain::audience::PreviewGate;
        assert_eq!(
            translate(
                Lang::Ja,
                &PreviewGate::Expired { minutes_old: 300 }.explain()
            ),
            "プレビューは5時間前のもので、ポリシーで許される期間を過ぎています。取り直してください。"
        );
        assert_eq!(
            translate(
                Lang::Ja,
                &PreviewGate::Expired { minutes_old: 90 }.explain()
            ),
            "プレビューは90分前のもので、ポリシーで許される期間を過ぎています。取り直してください。"
        );
    }

    #[test]
    fn csv_import_errors_are_translated_with_their_values() {
        use crate::domain::audience::{CsvColumns, UserId};
        let bad = UserId::parse("Uxyz").unwrap_err();
        assert_eq!(
            translate(Lang::Ja, &bad),
            "\"Uxyz\"はLINEのユーザーIDではありません（Uの後に小文字の16進数32桁）"
        );
        let header = CsvColumns::from_header(&["user_id", "nickname"]).unwrap_err();
        assert_eq!(
            translate(Lang::Ja, &format!("Line 1: {header}.")),
            "1行目: 不明な列\"nickname\"があります。使える列はuser_id、display_name、tags、followed_at、attr:NAMEです。"
        );
        assert_eq!(
            translate(
                Lang::Ja,
                "U0123456789abcdef0123456789abcdef already appears on line 3"
            ),
            "U0123456789abcdef0123456789abcdefは3行目にもあります"
        );
        assert_eq!(translate(Lang::Ja, "Line 4"), "4行目");
        assert_eq!(
            translate(
                Lang::Ja,
                "Nothing was imported: 2 rows have problems. Fix them and import the whole file again."
            ),
            "何も取り込まれていません: 2行に問題があります。直してから、ファイル全体をもう一度取り込んでください。"
        );
    }

    #[test]
    fn user_errors_are_translated_with_their_values() {
        assert_eq!(
            translate(Lang::Ja, "The user name \"hanako\" is already taken."),
            "ユーザー名\"hanako\"はすでに使われています。"
        );
        assert_eq!(
            translate(
                Lang::Ja,
                "root is the last active admin. Disabling this account would leave nobody able to manage users; make someone else an admin first."
            ),
            "rootは最後の有効な管理者です。このアカウントを無効にすると、ユーザーを管理できる人がいなくなります。先に別の人を管理者にしてください。"
        );
        let short = crate::domain::user::NewPassword::parse("short").unwrap_err();
        assert_eq!(
            translate(Lang::Ja, &short.message),
            "パスワードは12文字以上必要です（現在5文字）。"
        );
        assert_eq!(
            translate(Lang::Ja, "kenta is already disabled."),
            "kentaはすでに無効です。"
        );
        assert_eq!(
            translate(
                Lang::Ja,
                "Created aiko. Give them their password in person or by phone, not in the same message as the user name."
            ),
            "aikoを作成しました。パスワードは直接か電話で伝え、ユーザー名と同じメッセージでは送らないでください。"
        );
    }

    #[test]
    fn times_are_written_for_each_language_with_zone_and_offset() {
        let november = Utc.with_ymd_and_hms(2026, 11, 20, 1, 0, 0).unwrap();
        let july = Utc.with_ymd_and_hms(2026, 7, 3, 12, 5, 0).unwrap();
        // East and west of UTC, summer time, a half-hour offset, an early day and hour.
        for (at, zone, ja, en) in [
            (
                november,
                "Asia/Tokyo",
                "2026年11月20日 10:00 JST (+09:00)",
                "20 Nov 2026 10:00 JST (+09:00)",
            ),
            (
                july,
                "America/New_York",
                "2026年7月3日 08:05 EDT (-04:00)",
                "3 Jul 2026 08:05 EDT (-04:00)",
            ),
            (
                july,
                "Asia/Kolkata",
                "2026年7月3日 17:35 IST (+05:30)",
                "3 Jul 2026 17:35 IST (+05:30)",
            ),
        ] {
            let tz: Tz = zone.parse().unwrap();
            assert_eq!(format_time(Lang::Ja, at, tz), ja);
            assert_eq!(format_time(Lang::En, at, tz), en);
        }
    }

    #[test]
    fn the_most_specific_sentence_wins_when_two_match() {
        assert_eq!(
            translate(
                Lang::Ja,
                "Uses 2 of the 29,999 messages left this month (1 of 30,000 used)."
            ),
            "今月の残り29,999通のうち2通を使います（30,000通中1通を使用済み）。"
        );
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(format_number(12340), "12,340");
        assert_eq!(format_number(999), "999");
        assert_eq!(format_number(1_000_000), "1,000,000");
        assert_eq!(format_number(-1234), "-1,234");
    }
}
