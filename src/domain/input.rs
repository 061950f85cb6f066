//! Bounds on what comes in from outside (issue #18): every free-text field has a length cap
//! with a clear message, and a page to return to (`next`, `back`) is only ever a path on
//! this site.

use super::FieldError;

/// Caps for free text, in characters. Names are short; notes and templates are long
/// enough for what people write there, short enough that nothing balloons the database or
/// a page.
pub mod caps {
    /// Tags, attribute names and values of segments and CSV rows.
    pub const TAG: usize = 100;
    pub const ATTRIBUTE_KEY: usize = 100;
    pub const ATTRIBUTE_VALUE: usize = 500;
    /// Who noticed a mistake.
    pub const NOTICED_BY: usize = 200;
    /// Closing notes of incidents.
    pub const NOTE: usize = 2_000;
    /// Apology templates (a LINE text message holds 5,000 characters).
    pub const TEMPLATE: usize = 5_000;
    /// Search boxes and filters.
    pub const SEARCH: usize = 200;
    /// A sign-in name as typed (real names have at most 32; anything longer is refused
    /// before it is looked up, hashed or written anywhere).
    pub const SIGN_IN_NAME: usize = 64;
    /// A password as typed (new passwords may have 1,024).
    pub const PASSWORD: usize = 1_024;
    /// A page to return to.
    pub const PATH: usize = 2_000;
}

/// `raw`, trimmed, when it has at most `max` characters; otherwise a message for `field`
/// that says the cap and how long it is.
pub fn bounded(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    let n = text.chars().count();
    if n > max {
        return Err(too_long(field, max, n));
    }
    Ok(text.to_string())
}

/// The message for text over its cap.
pub fn too_long(field: &str, max: usize, n: usize) -> FieldError {
    FieldError::new(
        field,
        format!(
            "This can have at most {} characters (it has {}).",
            crate::i18n::format_number(max as i64),
            crate::i18n::format_number(n as i64)
        ),
    )
}

/// `text` cut to at most `max` characters, with `…` when cut: for recording something an
/// outsider typed (a sign-in name) without storing all of it.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// A path on this site to return to, or `None`.
///
/// Browsers strip tabs and newlines from URLs and read `\` as `/`, so `/\t/evil.example` or
/// `/\evil.example` would leave the site; the same characters percent-encoded are refused
/// too, and so is anything that is not plain printable ASCII (a header cannot carry it).
pub fn same_site_path(raw: &str) -> Option<String> {
    if raw.is_empty() || raw.len() > caps::PATH || !raw.starts_with('/') {
        return None;
    }
    if !raw.bytes().all(|b| (0x21..0x7f).contains(&b)) || raw.contains('\\') {
        return None;
    }
    // What a browser would make of it once decoded, minus what it strips.
    let cleaned: Vec<u8> = percent_decode(raw)
        .into_iter()
        .filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'))
        .collect();
    let control_or_backslash = cleaned
        .iter()
        .any(|b| *b == b'\\' || *b < 0x20 || *b == 0x7f);
    if cleaned.starts_with(b"//") || control_or_backslash {
        return None;
    }
    Some(raw.to_string())
}

/// Percent-decodes repeatedly (`%252F` is `%2F` is `/`), a few rounds at most.
fn percent_decode(raw: &str) -> Vec<u8> {
    let mut bytes = raw.as_bytes().to_vec();
    for _ in 0..3 {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        let mut changed = false;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && i + 2 < bytes.len()
                && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
            {
                out.push(h * 16 + l);
                i += 3;
                changed = true;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        bytes = out;
        if !changed {
            break;
        }
    }
    bytes
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_kept_with_their_query() {
        for ok in [
            "/",
            "/audit",
            "/drafts/3?tab=history",
            "/a//b",
            "/segments?q=%E5%86%AC",
        ] {
            assert_eq!(same_site_path(ok).as_deref(), Some(ok), "{ok}");
        }
    }

    #[test]
    fn anything_a_browser_could_take_off_site_is_refused() {
        for bad in [
            "",
            "audit",
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%0D%0A/evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%255C/evil.example",
            "/%25%30%39/evil.example",
            "https://evil.example/",
            "/ok\u{0}",
            "/café",
            "/ space",
        ] {
            assert_eq!(same_site_path(bad), None, "{bad:?}");
        }
        assert_eq!(
            same_site_path(&format!("/{}", "a".repeat(caps::PATH))),
            None
        );
    }

    #[test]
    fn text_over_its_cap_is_refused_with_its_length() {
        assert_eq!(bounded("note", "  短い  ", 5).unwrap(), "短い");
        let e = bounded("note", &"あ".repeat(2_001), caps::NOTE).unwrap_err();
        assert_eq!(e.field, "note");
        assert_eq!(
            e.message,
            "This can have at most 2,000 characters (it has 2,001)."
        );
    }

    #[test]
    fn excerpts_are_cut_with_an_ellipsis() {
        assert_eq!(excerpt("hanako", 10), "hanako");
        assert_eq!(excerpt(&"x".repeat(100), 4), "xxxx…");
    }
}
