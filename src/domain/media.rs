//! Images stored in sendgate, addressed by the SHA-256 of their bytes.
//!
//! Guards "images that cannot change after approval" (issue #17): an uploaded image is
//! served at `{SENDGATE_PUBLIC_URL}/media/{sha256}` (and its sizes at `/{variant}`), so a
//! message that names it names its exact bytes, and the revision's content hash, which
//! covers the message JSON, covers the image hash too. Changing one pixel makes another
//! hash, another URL and so another revision. Any other image URL can serve other bytes
//! after approval; the checks warn about it.

use std::fmt;

/// The widths LINE fetches an imagemap's base image at (`{baseUrl}/{width}`).
pub const IMAGEMAP_WIDTHS: [u32; 5] = [240, 300, 460, 700, 1040];
/// The longest side of a preview image (`previewImageUrl`, at most 1 MB for LINE).
pub const PREVIEW_SIDE: u32 = 240;
/// LINE takes images up to 10 MB.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Flex images may be at most 1024 × 1024 pixels; the card builder uses this width.
pub const CARD_IMAGE_WIDTH: u32 = 700;

/// The SHA-256 of an uploaded file's bytes, as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MediaHash(String);

impl MediaHash {
    pub fn of(bytes: &[u8]) -> MediaHash {
        use sha2::{Digest, Sha256};
        MediaHash(hex::encode(Sha256::digest(bytes)))
    }

    pub fn parse(s: &str) -> Option<MediaHash> {
        let ok = s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| MediaHash(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl fmt::Display for MediaHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One stored size of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// The bytes as uploaded.
    Original,
    /// Scaled to this width (the imagemap widths, the card width).
    Width(u32),
    /// Fits in [`PREVIEW_SIDE`] × [`PREVIEW_SIDE`].
    Preview,
}

impl Variant {
    /// Every size made at upload.
    pub fn generated() -> Vec<Variant> {
        let mut all: Vec<Variant> = IMAGEMAP_WIDTHS.iter().map(|&w| Variant::Width(w)).collect();
        if !IMAGEMAP_WIDTHS.contains(&CARD_IMAGE_WIDTH) {
            all.push(Variant::Width(CARD_IMAGE_WIDTH));
        }
        all.push(Variant::Preview);
        all
    }

    /// The path segment after the hash: empty, `700`, `preview`.
    pub fn segment(self) -> String {
        match self {
            Variant::Original => String::new(),
            Variant::Width(w) => w.to_string(),
            Variant::Preview => "preview".into(),
        }
    }

    pub fn parse(segment: &str) -> Option<Variant> {
        match segment {
            "" => Some(Variant::Original),
            "preview" => Some(Variant::Preview),
            w => w
                .parse::<u32>()
                .ok()
                .filter(|w| Variant::generated().contains(&Variant::Width(*w)))
                .map(Variant::Width),
        }
    }
}

/// `{base}/media/{hash}` (the imagemap base, the original) or `{base}/media/{hash}/{variant}`.
pub fn media_url(base: &str, hash: &MediaHash, variant: Variant) -> String {
    let base = base.trim_end_matches('/');
    match variant {
        Variant::Original => format!("{base}/media/{hash}"),
        v => format!("{base}/media/{hash}/{}", v.segment()),
    }
}

/// The hash and size a sendgate media URL names, when `url` has that shape:
/// `https://{host}/media/{64 hex}` optionally followed by `/{variant}`. Recognised by its
/// content-addressed path; the checks need no settings for it.
pub fn parse_media_url(url: &str) -> Option<(MediaHash, Variant)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (_, path) = rest.split_once('/')?;
    let after = path.strip_prefix("media/").or_else(|| {
        // A public URL with a path prefix (`https://example.com/sendgate/media/...`).
        path.find("/media/").map(|i| &path[i + "/media/".len()..])
    })?;
    let (hash, variant) = match after.split_once('/') {
        Some((h, v)) => (h, v),
        None => (after, ""),
    };
    Some((MediaHash::parse(hash)?, Variant::parse(variant)?))
}

/// The path on this server that serves `url`, when `url` is one of this server's media
/// URLs (it starts with `public_url`): pages show stored images from here, whatever the
/// public address is.
pub fn local_path(public_url: &str, url: &str) -> Option<String> {
    let rest = url.strip_prefix(public_url.trim_end_matches('/'))?;
    rest.starts_with("/media/").then(|| rest.to_string())
}

/// How an image is laid out: its pixel size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    /// The height at `width`, keeping the aspect ratio (at least 1 pixel).
    pub fn height_at(self, width: u32) -> u32 {
        ((self.height as u64 * width as u64 + self.width as u64 / 2) / self.width.max(1) as u64)
            .max(1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_media_hash_is_the_sha256_of_the_bytes() {
        assert_eq!(
            MediaHash::of(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(MediaHash::parse("ABC").is_none());
    }

    #[test]
    fn media_urls_contain_the_hash_and_parse_back() {
        let h = MediaHash::of(b"x");
        let url = media_url("https://sendgate.example/", &h, Variant::Original);
        assert_eq!(url, format!("https://sendgate.example/media/{h}"));
        assert_eq!(parse_media_url(&url), Some((h.clone(), Variant::Original)));
        let url = media_url("https://sendgate.example", &h, Variant::Width(700));
        assert_eq!(
            parse_media_url(&url),
            Some((h.clone(), Variant::Width(700)))
        );
        let url = media_url("https://sendgate.example", &h, Variant::Preview);
        assert!(url.ends_with("/preview"));
        assert_eq!(
            parse_media_url(&format!("https://x.example/app/media/{h}/240")),
            Some((h.clone(), Variant::Width(240)))
        );
        assert_eq!(
            parse_media_url(&format!("https://x.example/media/{h}/999")),
            None
        );
        assert_eq!(parse_media_url("https://x.example/media/abc"), None);
        assert_eq!(parse_media_url("https://x.example/img.png"), None);
    }

    #[test]
    fn urls_of_this_server_are_shown_from_its_own_path() {
        let h = MediaHash::of(b"x");
        let url = media_url("https://sendgate.example", &h, Variant::Width(240));
        assert_eq!(
            local_path("https://sendgate.example/", &url),
            Some(format!("/media/{h}/240"))
        );
        assert_eq!(local_path("https://other.example", &url), None);
    }

    #[test]
    fn heights_keep_the_aspect_ratio() {
        let s = Size {
            width: 2080,
            height: 1040,
        };
        assert_eq!(s.height_at(1040), 520);
        assert_eq!(s.height_at(240), 120);
        assert_eq!(
            Size {
                width: 3,
                height: 1
            }
            .height_at(1),
            1
        );
        assert_eq!(Variant::parse("700"), Some(Variant::Width(700)));
        assert_eq!(Variant::parse("1040"), Some(Variant::Width(1040)));
    }
}
