//! What a sessions page says about where a session signed in from (issue #18): the browser
//! and the system, read from the `User-Agent` a browser sent. A guess for people to
//! recognise their own devices, never used to decide anything.

/// The longest `User-Agent` kept with a session; the rest is dropped before it is stored.
pub const MAX_USER_AGENT: usize = 256;

/// A `User-Agent` cut to what is stored (on a character boundary).
pub fn stored_user_agent(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_control())
        .take(MAX_USER_AGENT)
        .collect()
}

/// The browser and the system, in English words (`("Chrome", "Windows")`); either may be
/// `"unknown browser"` / `"unknown system"`.
pub fn describe(user_agent: &str) -> (&'static str, &'static str) {
    let ua = user_agent;
    let browser = if ua.contains("Line/") {
        "LINE"
    } else if ua.contains("Edg/") || ua.contains("EdgA/") || ua.contains("EdgiOS/") {
        "Edge"
    } else if ua.contains("OPR/") {
        "Opera"
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("CriOS/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") && ua.contains("Version/") {
        "Safari"
    } else if ua.contains("curl/") {
        "curl"
    } else {
        "unknown browser"
    };
    let system = if ua.contains("iPhone") {
        "iPhone"
    } else if ua.contains("iPad") {
        "iPad"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        "unknown system"
    };
    (browser, system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_recognised() {
        for (ua, expected) in [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                ("Chrome", "Windows"),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                ("Edge", "Windows"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                ("Safari", "iPhone"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:132.0) Gecko/20100101 Firefox/132.0",
                ("Firefox", "macOS"),
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 Line/14.19.1",
                ("LINE", "Android"),
            ),
            ("", ("unknown browser", "unknown system")),
        ] {
            assert_eq!(describe(ua), expected, "{ua}");
        }
    }

    #[test]
    fn stored_agents_are_bounded_and_free_of_control_characters() {
        assert_eq!(stored_user_agent("a\nb"), "ab");
        assert_eq!(
            stored_user_agent(&"é".repeat(1000)).chars().count(),
            MAX_USER_AGENT
        );
    }
}
