//! The pre-send checks of DESIGN section 5, for the content of a revision.
//!
//! Guards gate rule 5 (DESIGN section 2): errors block the release, warnings must be
//! acknowledged on the release page. This module owns the content rows: the message limits
//! again (defence in depth; [`crate::domain::message`] refused them at the form already),
//! leftover placeholders, and links that are `http://` or point outside the account's
//! allow list. The audience, quota and schedule rows produce the same [`Finding`]s from
//! their own functions, so the release page lists one flat set.

use std::fmt;

use serde_json::Value;

use super::message::{LEGACY_ALT_TEXT_LIMIT, MAX_MESSAGES, Message, approx_grapheme_len};
use super::revision::RevisionContent;

/// The `code` of every finding, stable so the release page can remember which warnings a
/// person acknowledged.
pub mod codes {
    pub const MESSAGE_COUNT: &str = "message_count";
    pub const MESSAGE_LIMIT: &str = "message_limit";
    pub const PLACEHOLDER: &str = "placeholder";
    pub const LINK_NOT_HTTPS: &str = "link_not_https";
    pub const LINK_HOST_NOT_ALLOWED: &str = "link_host_not_allowed";
    pub const ALT_TEXT_LONG: &str = "alt_text_long";
    pub const DUPLICATE_SEND: &str = "duplicate_send";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Blocks the release.
    Error,
    /// Must be acknowledged before release.
    Warning,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing the checks found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    /// One of [`codes`].
    pub code: &'static str,
    /// A sentence for the release page saying what is wrong and what to do.
    pub message: String,
    /// Where, such as `message 2` or `message 2 (contents.body.contents[0].text)`.
    pub location: Option<String>,
    /// A page that shows more (the earlier release of a duplicate send).
    pub link: Option<String>,
}

impl Finding {
    pub fn error(code: &'static str, message: impl Into<String>, location: Option<String>) -> Self {
        Finding {
            level: Level::Error,
            code,
            message: message.into(),
            location,
            link: None,
        }
    }

    pub fn warning(
        code: &'static str,
        message: impl Into<String>,
        location: Option<String>,
    ) -> Self {
        Finding {
            level: Level::Warning,
            code,
            message: message.into(),
            location,
            link: None,
        }
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    pub fn with_link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }

    /// Identifies this finding among the findings of one revision, so an acknowledgement
    /// can be recorded and matched again when the release page is submitted.
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.code,
            self.location.as_deref().unwrap_or(""),
            self.message
        )
    }
}

/// The same messages already went to an overlapping audience within the last 7 days
/// (DESIGN section 5): a warning naming the earlier release, linked to it.
pub fn duplicate_send(release_id: i64, title: &str, sent_at: &str) -> Finding {
    Finding::warning(
        codes::DUPLICATE_SEND,
        format!(
            "The same messages went to an overlapping audience on {sent_at} (release #{release_id}, \"{title}\"); make sure nobody receives them twice."
        ),
        None,
    )
    .with_link(format!("/releases/{release_id}"))
}

/// What the content checks need besides the content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckContext {
    /// Hosts links may point at without a warning. An entry also allows its subdomains
    /// (`example.com` allows `www.example.com`). Empty means there is no list.
    pub link_allow_list: Vec<String>,
    /// This server's public address: images under its `/media/` are stored in sendgate and
    /// cannot change. `None` recognises sendgate's media URLs by their path alone.
    pub media_base: Option<String>,
}

/// True when any finding blocks the release.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(Finding::is_error)
}

/// The content rows of DESIGN section 5 for one revision, errors first.
pub fn check_content(content: &RevisionContent, ctx: &CheckContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    let messages = content.messages();
    if messages.is_empty() || messages.len() > MAX_MESSAGES {
        findings.push(Finding::error(
            codes::MESSAGE_COUNT,
            format!(
                "A message needs 1 to {MAX_MESSAGES} message objects; this one has {}.",
                messages.len()
            ),
            None,
        ));
    }
    let allow = AllowList::new(&ctx.link_allow_list);
    for (i, message) in messages.iter().enumerate() {
        let at = format!("message {}", i + 1);
        check_message(message, &at, &allow, &mut findings);
        // Actions and media of rich messages (issue #17).
        findings.extend(super::link_checks::check_message(
            message,
            &at,
            ctx.media_base.as_deref(),
        ));
    }
    // Stable: errors first, each level in the order the content reads.
    findings.sort_by_key(|f| f.level);
    findings
}

fn check_message(message: &Message, at: &str, allow: &AllowList, out: &mut Vec<Finding>) {
    for problem in message.problems() {
        out.push(Finding::error(
            codes::MESSAGE_LIMIT,
            problem.message,
            Some(at.to_string()),
        ));
    }
    let raw = matches!(message, Message::Raw(_));
    let json = message.line_json();
    let mut seen_links: Vec<(&'static str, String)> = Vec::new();
    each_string(&json, &mut String::new(), None, &mut |path, key, text| {
        if key == Some("type") {
            return;
        }
        // Most strings have no finding: the location is written only for one that has.
        let location = || {
            if raw {
                format!("{at} ({path})")
            } else {
                at.to_string()
            }
        };
        let tokens = find_placeholders(text);
        if !tokens.is_empty() {
            let quoted: Vec<String> = tokens.iter().map(|t| format!("“{t}”")).collect();
            let (noun, it) = if tokens.len() == 1 {
                ("placeholder", "it")
            } else {
                ("placeholders", "them")
            };
            out.push(Finding::error(
                codes::PLACEHOLDER,
                format!(
                    "Leftover {noun} {}; replace {it} with the real text before sending. \
                     (Square brackets read as a placeholder; write labels as 【】.)",
                    quoted.join(", ")
                ),
                Some(location()),
            ));
        }
        // Media URLs that are not https are errors (above, and in `link_checks`).
        let media = matches!(
            key,
            Some(
                "originalContentUrl"
                    | "previewImageUrl"
                    | "baseUrl"
                    | "iconUrl"
                    | "imageUrl"
                    | "url"
                    | "previewUrl"
                    | "thumbnailImageUrl"
            )
        );
        for url in find_urls(text) {
            let host = url_host(url);
            if url[..5].eq_ignore_ascii_case("http:") && !media {
                let k = (codes::LINK_NOT_HTTPS, url.to_string());
                if !seen_links.contains(&k) {
                    out.push(Finding::warning(
                        codes::LINK_NOT_HTTPS,
                        format!(
                            "Links to {url}, which is not encrypted (http://); \
                             use https:// if the site supports it."
                        ),
                        Some(location()),
                    ));
                    seen_links.push(k);
                }
            }
            if !allow.allows(&host) {
                let k = (codes::LINK_HOST_NOT_ALLOWED, url.to_string());
                if !seen_links.contains(&k) {
                    out.push(Finding::warning(
                        codes::LINK_HOST_NOT_ALLOWED,
                        format!(
                            "Links to {host} ({url}), which is not on the account's list of \
                             allowed link hosts; make sure it is the right site."
                        ),
                        Some(location()),
                    ));
                    seen_links.push(k);
                }
            }
        }
    });
    if let Message::Raw(v) = message
        && matches!(
            v.get("type").and_then(Value::as_str),
            Some("flex" | "imagemap")
        )
        && let Some(alt) = v.get("altText").and_then(Value::as_str)
    {
        let n = approx_grapheme_len(alt);
        if n > LEGACY_ALT_TEXT_LIMIT {
            out.push(Finding::warning(
                codes::ALT_TEXT_LONG,
                format!(
                    "altText is {n} characters long. LINE's current limit is 1,500, but older \
                     documentation says {LEGACY_ALT_TEXT_LIMIT}; the test send shows whether \
                     LINE takes it."
                ),
                Some(format!("{at} (altText)")),
            ));
        }
    }
}

/// Calls `f` with every string value in `value`, its path (`contents.body.contents[0].text`)
/// and the object key it sits under.
fn each_string<'a>(
    value: &'a Value,
    path: &mut String,
    key: Option<&'a str>,
    f: &mut impl FnMut(&str, Option<&'a str>, &'a str),
) {
    use super::actions::{push_index, push_key};
    // One path buffer for the whole walk: each step appends its part and takes it off again.
    let len = path.len();
    match value {
        Value::String(s) => f(path, key, s),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                push_index(path, i);
                each_string(item, path, key, f);
                path.truncate(len);
            }
        }
        Value::Object(obj) => {
            for (k, v) in obj {
                push_key(path, k);
                each_string(v, path, Some(k), f);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

struct AllowList(Vec<String>);

impl AllowList {
    fn new(entries: &[String]) -> Self {
        let hosts = entries
            .iter()
            .map(|e| {
                let e = e.trim().to_ascii_lowercase();
                let e = e
                    .strip_prefix("https://")
                    .or_else(|| e.strip_prefix("http://"))
                    .unwrap_or(&e);
                let e = e.split(['/', '?', '#']).next().unwrap_or("");
                let e = e.trim_start_matches("*.").trim_start_matches('.');
                e.trim_end_matches('.').to_string()
            })
            .filter(|e| !e.is_empty())
            .collect();
        AllowList(hosts)
    }

    /// With no list every host is allowed.
    fn allows(&self, host: &str) -> bool {
        self.0.is_empty()
            || self.0.iter().any(|allowed| {
                host == allowed
                    || host
                        .strip_suffix(allowed.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            })
    }
}

/// `http://` and `https://` URLs in `text`. A URL ends at whitespace, at the first
/// non-ASCII character (Japanese text runs straight on after a link) and before trailing
/// punctuation.
pub fn find_urls(text: &str) -> Vec<&str> {
    url_spans(text)
        .into_iter()
        .map(|(a, b)| &text[a..b])
        .collect()
}

fn url_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let scheme = if starts_with_ignore_case(rest, b"https://") {
            8
        } else if starts_with_ignore_case(rest, b"http://") {
            7
        } else {
            i += 1;
            continue;
        };
        let mut end = i + scheme;
        while end < bytes.len()
            && bytes[end].is_ascii_graphic()
            && !matches!(bytes[end], b'"' | b'<' | b'>' | b'`' | b'\\')
        {
            end += 1;
        }
        while end > i + scheme
            && matches!(
                bytes[end - 1],
                b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b')'
            )
        {
            end -= 1;
        }
        if end > i + scheme {
            spans.push((i, end));
        }
        i = end.max(i + scheme);
    }
    spans
}

fn starts_with_ignore_case(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack.len() >= prefix.len() && haystack[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The host of an `http(s)://` URL, lower-cased, without user info, port or trailing dot.
fn url_host(url: &str) -> String {
    let after = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next().unwrap_or(host_port)
    } else {
        host_port.split(':').next().unwrap_or(host_port)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Labels in square brackets that are real text, not placeholders.
const BRACKET_LABELS: [&str; 14] = [
    "pr",
    "ad",
    "new",
    "sale",
    "info",
    "広告",
    "重要",
    "お知らせ",
    "新着",
    "速報",
    "限定",
    "再送",
    "訂正",
    "告知",
];
const KANJI_NUMERALS: &str = "〇零一二三四五六七八九十百千万億";

/// Full-width ASCII (`ＰＲ`) as ASCII (`PR`).
fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '０'..='９')
}

fn is_x(c: char) -> bool {
    matches!(c, 'X' | 'Ｘ' | '×')
}

fn is_circle(c: char) -> bool {
    matches!(c, '○' | '〇' | '◯')
}

/// The leftover placeholders in `text`, each once, in the order they first appear:
///
/// - `{{...}}` and `｛｛...｝｝` anywhere, even inside a URL;
/// - outside URLs: `[...]` and `［...］` holding 1 to 30 characters of one line, except
///   numbers (`[1]`, footnotes), blanks (`[ ]`) and common labels (`[PR]`, `［重要］`);
/// - a run of two or more `X`, `Ｘ` or `×` that is not part of a word, so `XX円`, `価格XX`
///   and `XXXX年` are placeholders but `XXL` and `XXS` (sizes) are not;
/// - a run of two or more `○`, `〇` or `◯`, unless it sits next to a kanji numeral
///   (`二〇〇五年`, `一〇〇円`);
/// - `TODO` and `ＴＯＤＯ` as a word.
pub fn find_placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut add = |t: String| {
        if !found.contains(&t) {
            found.push(t);
        }
    };
    for (open, close) in [("{{", "}}"), ("｛｛", "｝｝")] {
        let mut from = 0;
        while let Some(start) = text[from..].find(open).map(|p| p + from) {
            let after = start + open.len();
            let end = text[after..]
                .find(close)
                .map(|p| after + p + close.len())
                .filter(|&e| text[start..e].chars().count() <= 60)
                .unwrap_or(after);
            add(text[start..end].to_string());
            from = end;
        }
    }

    // Blank out URLs so a query such as `?a[]=1&b[x]=2` or a path with `XX` is not read
    // as a placeholder. Spaces keep the neighbours of a URL apart.
    let mut plain = String::with_capacity(text.len());
    let mut last = 0;
    for (a, b) in url_spans(text) {
        plain.push_str(&text[last..a]);
        plain.push(' ');
        last = b;
    }
    plain.push_str(&text[last..]);
    let chars: Vec<char> = plain.chars().collect();

    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = i.checked_sub(1).map(|j| chars[j]);
        if let Some(close) = match c {
            '[' => Some(']'),
            '［' => Some('］'),
            _ => None,
        } {
            let inner: String = chars[i + 1..]
                .iter()
                .take(31)
                .take_while(|&&d| d != close && !matches!(d, '[' | '［' | '\n' | '\r'))
                .collect();
            let n = inner.chars().count();
            if n <= 30 && chars.get(i + 1 + n) == Some(&close) {
                let trimmed = inner.trim();
                let numeric = trimmed
                    .chars()
                    .all(|d| d.is_ascii_digit() || matches!(d, '０'..='９'));
                let label = BRACKET_LABELS.contains(&fold_width(trimmed).to_lowercase().as_str());
                if !trimmed.is_empty() && !numeric && !label {
                    add(format!("{c}{inner}{close}"));
                }
                i += n + 2;
                continue;
            }
        }
        if is_x(c) || is_circle(c) {
            let same = if is_x(c) { is_x } else { is_circle };
            let run = chars[i..].iter().take_while(|&&d| same(d)).count();
            let after = chars.get(i + run).copied();
            let token: String = chars[i..i + run].iter().collect();
            if run >= 2 {
                let placeholder = if is_x(c) {
                    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
                } else {
                    let numeral = |d: Option<char>| d.is_some_and(|d| KANJI_NUMERALS.contains(d));
                    !numeral(before) && !numeral(after)
                };
                if placeholder {
                    add(token);
                }
            }
            i += run;
            continue;
        }
        for todo in ["TODO", "ＴＯＤＯ"] {
            let len = todo.chars().count();
            if chars[i..].iter().take(len).copied().eq(todo.chars())
                && !before.is_some_and(is_word_char)
                && !chars.get(i + len).copied().is_some_and(is_word_char)
            {
                add(todo.to_string());
            }
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::message::{MessageInput, Messages};
    use crate::domain::revision::{DraftKind, Title};
    use serde_json::json;

    fn content(messages: Vec<Message>) -> RevisionContent {
        RevisionContent::new(
            DraftKind::Broadcast,
            Title::parse("t").unwrap(),
            Messages::new(messages).unwrap(),
            false,
            None,
            None,
        )
        .unwrap()
    }

    fn text(s: &str) -> Message {
        Message::Text { text: s.into() }
    }

    fn raw(v: Value) -> Message {
        Message::from_line_json(v).unwrap()
    }

    fn check(messages: Vec<Message>) -> Vec<Finding> {
        check_content(&content(messages), &CheckContext::default())
    }

    fn codes_of(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    fn placeholders(s: &str) -> Vec<String> {
        find_placeholders(s)
    }

    #[test]
    fn clean_content_has_no_findings() {
        let f = check(vec![text(
            "春のセールは3月20日から。詳しくは https://example.com/sale をご覧ください。",
        )]);
        assert!(f.is_empty(), "{f:?}");
        assert!(!has_errors(&f));
    }

    #[test]
    fn circle_placeholders_are_found() {
        assert_eq!(placeholders("○○様、こんにちは"), ["○○"]);
        assert_eq!(placeholders("〇〇様"), ["〇〇"]);
        assert_eq!(placeholders("◯◯◯店"), ["◯◯◯"]);
        assert!(placeholders("○ 参加できる / × できない").is_empty());
    }

    #[test]
    fn circles_inside_kanji_numbers_are_not_placeholders() {
        assert!(placeholders("二〇〇五年創業").is_empty());
        assert!(placeholders("一〇〇円引き").is_empty());
        assert_eq!(placeholders("第〇〇回"), ["〇〇"]);
    }

    #[test]
    fn x_placeholders_are_found_as_standalone_tokens() {
        assert_eq!(placeholders("XX円"), ["XX"]);
        assert_eq!(placeholders("価格XX"), ["XX"]);
        assert_eq!(placeholders("XXXX年XX月XX日"), ["XXXX", "XX"]);
        assert_eq!(placeholders("ＸＸ円"), ["ＸＸ"]);
        assert_eq!(placeholders("××様"), ["××"]);
        assert_eq!(placeholders("XXX"), ["XXX"]);
        assert_eq!(placeholders("Price: XX yen"), ["XX"]);
    }

    #[test]
    fn clothing_sizes_and_single_marks_are_not_x_placeholders() {
        for s in [
            "XXLサイズ",
            "XXS",
            "size XXL",
            "ＸＸＬ",
            "3XL",
            "2×3",
            "Xmas",
            "xx円",
            "MAXX",
            "XX1",
        ] {
            assert!(placeholders(s).is_empty(), "{s}");
        }
    }

    #[test]
    fn todo_is_found_only_as_a_word() {
        assert_eq!(placeholders("TODO: 日付を入れる"), ["TODO"]);
        assert_eq!(placeholders("価格はTODO"), ["TODO"]);
        assert_eq!(placeholders("ＴＯＤＯ"), ["ＴＯＤＯ"]);
        assert!(placeholders("TODOS").is_empty());
        assert!(placeholders("MyTODO").is_empty());
        assert!(placeholders("todo list").is_empty());
    }

    #[test]
    fn mustache_placeholders_are_found_in_both_widths() {
        assert_eq!(placeholders("こんにちは {{name}} さん"), ["{{name}}"]);
        assert_eq!(placeholders("｛｛名前｝｝様"), ["｛｛名前｝｝"]);
        assert_eq!(placeholders("broken {{ here"), ["{{"]);
        assert_eq!(
            placeholders("https://example.com/{{campaign}}/x"),
            ["{{campaign}}"]
        );
    }

    #[test]
    fn single_braces_are_not_placeholders_because_text_v2_uses_them() {
        assert!(placeholders("Hello {user1}! {emoji1}").is_empty());
    }

    #[test]
    fn bracket_placeholders_are_found_in_both_widths() {
        assert_eq!(placeholders("[name]様"), ["[name]"]);
        assert_eq!(placeholders("[First Name], hello"), ["[First Name]"]);
        assert_eq!(placeholders("［名前］様"), ["［名前］"]);
        assert_eq!(placeholders("［店舗名］にて"), ["［店舗名］"]);
    }

    #[test]
    fn footnotes_blanks_labels_and_lenticular_brackets_are_not_placeholders() {
        for s in [
            "[1]",
            "［２］",
            "[ ]",
            "[PR]",
            "［重要］",
            "[広告] 新商品",
            "【期間限定】",
            "「名前」",
            "[]",
        ] {
            assert!(placeholders(s).is_empty(), "{s}");
        }
    }

    #[test]
    fn long_bracketed_text_is_not_a_placeholder() {
        let s = format!("[{}]", "a".repeat(31));
        assert!(placeholders(&s).is_empty());
        assert!(placeholders("[a\nb]").is_empty());
    }

    #[test]
    fn brackets_and_xs_inside_a_url_are_not_placeholders() {
        assert!(placeholders("https://example.com/search?filter[name]=a&ids[]=1").is_empty());
        assert!(placeholders("https://example.com/XX/a?b=[x]").is_empty());
        assert_eq!(
            placeholders("https://example.com/?a[x]=1 [name]"),
            ["[name]"]
        );
    }

    #[test]
    fn a_placeholder_in_a_text_message_is_an_error_located_at_its_message() {
        let f = check(vec![text("ok"), text("○○様、[name] さん、○○様")]);
        assert_eq!(codes_of(&f), [codes::PLACEHOLDER]);
        assert_eq!(f[0].level, Level::Error);
        assert_eq!(f[0].location.as_deref(), Some("message 2"));
        assert!(f[0].message.contains("“○○”, “[name]”"), "{}", f[0].message);
        assert!(has_errors(&f));
    }

    #[test]
    fn placeholders_inside_raw_json_string_values_are_errors_with_their_path() {
        let flex = raw(json!({
            "type": "flex",
            "altText": "XX円セール",
            "contents": {"type": "bubble", "body": {"type": "box", "layout": "vertical",
                "contents": [{"type": "text", "text": "［名前］様", "size": "xxl"}]}}
        }));
        let f = check(vec![flex]);
        assert_eq!(codes_of(&f), [codes::PLACEHOLDER, codes::PLACEHOLDER]);
        let locations: Vec<_> = f.iter().map(|f| f.location.clone().unwrap()).collect();
        assert!(
            locations.contains(&"message 1 (altText)".to_string()),
            "{locations:?}"
        );
        assert!(
            locations.contains(&"message 1 (contents.body.contents[0].text)".to_string()),
            "{locations:?}"
        );
    }

    #[test]
    fn limits_are_checked_again_as_errors() {
        let f = check(vec![
            text(&"a".repeat(5_001)),
            raw(json!({"type": "flex", "altText": "a", "contents": {"type": "bubble"}})),
        ]);
        assert_eq!(codes_of(&f), [codes::MESSAGE_LIMIT]);
        assert_eq!(f[0].location.as_deref(), Some("message 1"));
        assert!(f[0].message.contains("5,001"), "{}", f[0].message);
        let f = check(vec![Message::Image {
            original_content_url: "http://a.example/1.png".into(),
            preview_image_url: "https://a.example/2.png".into(),
        }]);
        assert_eq!(
            codes_of(&f),
            [
                codes::MESSAGE_LIMIT,
                crate::domain::link_checks::codes::MEDIA_EXTERNAL
            ],
            "{f:?}"
        );
    }

    #[test]
    fn an_http_link_in_text_is_a_warning() {
        let f = check(vec![text("詳しくはhttp://example.com/saleへ")]);
        assert_eq!(codes_of(&f), [codes::LINK_NOT_HTTPS]);
        assert_eq!(f[0].level, Level::Warning);
        assert!(
            f[0].message.contains("http://example.com/sale,"),
            "{}",
            f[0].message
        );
        assert!(!has_errors(&f));
    }

    #[test]
    fn an_http_uri_action_in_raw_json_is_a_warning() {
        let m = raw(
            json!({"type": "template", "altText": "a", "template": {"type": "buttons", "text": "t",
            "actions": [{"type": "uri", "label": "Open", "uri": "HTTP://Example.com/x"}]}}),
        );
        let f = check(vec![m]);
        assert_eq!(codes_of(&f), [codes::LINK_NOT_HTTPS]);
        assert_eq!(
            f[0].location.as_deref(),
            Some("message 1 (template.actions[0].uri)")
        );
    }

    fn with_allow_list(messages: Vec<Message>, list: &[&str]) -> Vec<Finding> {
        let ctx = CheckContext {
            link_allow_list: list.iter().map(|s| s.to_string()).collect(),
            media_base: None,
        };
        check_content(&content(messages), &ctx)
    }

    #[test]
    fn links_to_hosts_off_the_allow_list_are_warnings_when_a_list_is_set() {
        let m = vec![text(
            "https://shop.example.com/a https://evil.example/b https://example.com.evil.example/c",
        )];
        let f = with_allow_list(m.clone(), &["example.com"]);
        assert_eq!(
            codes_of(&f),
            [codes::LINK_HOST_NOT_ALLOWED, codes::LINK_HOST_NOT_ALLOWED]
        );
        assert!(
            f[0].message
                .contains("evil.example (https://evil.example/b)"),
            "{}",
            f[0].message
        );
        assert!(
            f[1].message.contains("example.com.evil.example"),
            "{}",
            f[1].message
        );
        assert!(with_allow_list(m, &[]).is_empty());
    }

    #[test]
    fn allow_list_entries_are_normalised_and_hosts_compared_without_case_port_or_user() {
        let m = vec![text("https://user@WWW.Example.COM:8443/a?x=1#f")];
        for entry in [
            "example.com",
            " Example.com ",
            "https://example.com/",
            "*.example.com",
            "www.example.com.",
        ] {
            assert!(with_allow_list(m.clone(), &[entry]).is_empty(), "{entry}");
        }
        assert_eq!(with_allow_list(m, &["ample.com"]).len(), 1);
    }

    #[test]
    fn image_urls_are_checked_against_the_allow_list() {
        let m = Message::Image {
            original_content_url: "https://cdn.example.net/1.png".into(),
            preview_image_url: "https://cdn.example.net/2.png".into(),
        };
        let hosts = |f: Vec<Finding>| -> Vec<&'static str> {
            // Both are also not stored in sendgate (link_checks warns about that).
            f.iter()
                .map(|f| f.code)
                .filter(|c| *c != crate::domain::link_checks::codes::MEDIA_EXTERNAL)
                .collect()
        };
        let f = with_allow_list(vec![m.clone()], &["example.com"]);
        assert_eq!(
            hosts(f),
            [codes::LINK_HOST_NOT_ALLOWED, codes::LINK_HOST_NOT_ALLOWED]
        );
        assert!(hosts(with_allow_list(vec![m], &["example.com", "example.net"])).is_empty());
    }

    #[test]
    fn the_same_link_twice_in_one_string_is_reported_once() {
        let f = check(vec![text("http://a.example/ と http://a.example/")]);
        assert_eq!(f.len(), 1, "{f:?}");
    }

    #[test]
    fn urls_end_at_japanese_text_whitespace_and_trailing_punctuation() {
        assert_eq!(
            find_urls("見てhttps://a.example/x。次"),
            ["https://a.example/x"]
        );
        assert_eq!(
            find_urls("(see https://a.example/x)."),
            ["https://a.example/x"]
        );
        assert_eq!(
            find_urls("a https://a.example/?q=1, b http://b.example"),
            ["https://a.example/?q=1", "http://b.example"]
        );
        assert!(find_urls("https:// nothing").is_empty());
        assert_eq!(url_host("https://[::1]:80/x"), "[::1]");
    }

    #[test]
    fn a_long_flex_alt_text_is_a_warning_under_the_legacy_limit() {
        let m = raw(
            json!({"type": "flex", "altText": "a".repeat(401), "contents": {"type": "bubble"}}),
        );
        let f = check(vec![m]);
        assert_eq!(codes_of(&f), [codes::ALT_TEXT_LONG]);
        assert_eq!(f[0].level, Level::Warning);
    }

    #[test]
    fn errors_come_before_warnings() {
        let f = check(vec![text("http://a.example"), text("○○")]);
        assert_eq!(codes_of(&f), [codes::PLACEHOLDER, codes::LINK_NOT_HTTPS]);
    }

    #[test]
    fn flex_style_values_are_not_placeholders() {
        let m = raw(
            json!({"type": "flex", "altText": "a", "contents": {"type": "bubble", "size": "giga",
            "body": {"type": "box", "layout": "vertical", "contents": [
                {"type": "text", "text": "Sale", "size": "xxl", "weight": "bold"},
                {"type": "text", "text": "tiny", "size": "xxs"}]}}}),
        );
        assert!(check(vec![m]).is_empty());
    }

    #[test]
    fn a_finding_key_names_code_location_and_message() {
        let f = Finding::warning(codes::LINK_NOT_HTTPS, "m", Some("message 1".into()));
        assert_eq!(f.key(), "link_not_https|message 1|m");
        assert!(!f.is_error());
    }

    #[test]
    fn messages_parsed_from_a_form_are_checked_like_any_other() {
        let m = Messages::parse(&[MessageInput::text("こんにちは、{{name}}さん")])
            .unwrap()
            .into_vec();
        assert_eq!(codes_of(&check(m)), [codes::PLACEHOLDER]);
    }
}
