//! Uploading images into sendgate (issue #17): verify that the bytes are a JPEG or PNG
//! image LINE takes, make the sizes LINE asks for, and store it all under the SHA-256 of the
//! bytes with its audit event, in one transaction. The same bytes uploaded again change
//! nothing; other bytes (even one pixel) get another hash, so a message that names an
//! upload can never show anything but what its reviewers saw.

use std::io::Cursor;

use chrono::{DateTime, Utc};
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use serde_json::json;
use sqlx::SqlitePool;

use crate::db::{self, audit::Actor};
use crate::domain::FieldError;
use crate::domain::builders::ImageRef;
use crate::domain::media::{MAX_UPLOAD_BYTES, MediaHash, PREVIEW_SIDE, Size, Variant, media_url};
use crate::error::{AppError, AppResult};

/// Neither side may exceed this many pixels: LINE's own tools stop far below, and it keeps
/// a decompression bomb from taking the server's memory.
const MAX_SIDE: u32 = 10_000;

/// One made size.
#[derive(Debug)]
pub struct Made {
    pub variant: Variant,
    pub content_type: &'static str,
    pub size: Size,
    pub bytes: Vec<u8>,
}

/// A verified upload and its sizes.
#[derive(Debug)]
pub struct Processed {
    pub hash: MediaHash,
    pub content_type: &'static str,
    pub size: Size,
    pub variants: Vec<Made>,
}

fn refuse(message: impl Into<String>) -> FieldError {
    FieldError::new("file", message)
}

/// Decodes `bytes` (refusing anything but a whole JPEG or PNG within the limits) and makes
/// every size LINE asks for. CPU work: run it off the async threads.
pub fn process(bytes: &[u8]) -> Result<Processed, FieldError> {
    if bytes.is_empty() {
        return Err(refuse("Choose an image file to upload."));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(refuse(format!(
            "This file is {} MB; LINE takes images up to 10 MB.",
            bytes.len().div_ceil(1024 * 1024)
        )));
    }
    let format = match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => ImageFormat::Jpeg,
        Ok(ImageFormat::Png) => ImageFormat::Png,
        _ => {
            return Err(refuse(
                "This is not a JPEG or PNG image; LINE takes only those two formats.",
            ));
        }
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| {
        refuse(format!(
            "The image could not be read ({e}); save it again as JPEG or PNG and upload it."
        ))
    })?;
    let size = Size {
        width: image.width(),
        height: image.height(),
    };
    let content_type = match format {
        ImageFormat::Png => "image/png",
        _ => "image/jpeg",
    };
    let mut variants = Vec::new();
    for variant in Variant::generated() {
        let scaled = match variant {
            Variant::Width(w) => {
                image.resize_exact(w, size.height_at(w), image::imageops::FilterType::Triangle)
            }
            Variant::Preview => image.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE),
            Variant::Original => continue,
        };
        variants.push(Made {
            variant,
            content_type,
            size: Size {
                width: scaled.width(),
                height: scaled.height(),
            },
            bytes: encode(&scaled, format)?,
        });
    }
    Ok(Processed {
        hash: MediaHash::of(bytes),
        content_type,
        size,
        variants,
    })
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, FieldError> {
    let mut out = Cursor::new(Vec::new());
    let written = match format {
        ImageFormat::Png => image.write_to(&mut out, ImageFormat::Png),
        _ => {
            // JPEG has no alpha channel.
            let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
            rgb.write_with_encoder(encoder)
        }
    };
    written.map_err(|e| refuse(format!("The image could not be resized ({e}).")))?;
    Ok(out.into_inner())
}

/// What an upload did.
#[derive(Debug, PartialEq, Eq)]
pub enum Uploaded {
    New(MediaHash),
    /// These exact bytes were stored before.
    Existing(MediaHash),
}

/// Stores an upload with its sizes and audit event. The caller has checked that `actor`
/// may write drafts.
pub async fn upload(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<Uploaded> {
    let (bytes, processed) = tokio::task::spawn_blocking(move || {
        let p = process(&bytes);
        (bytes, p)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("image processing panicked: {e}")))?;
    let processed = processed.map_err(|e| AppError::Invalid(vec![e]))?;
    let file_name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let mut tx = db::begin_write(pool).await?;
    let hash = processed.hash.clone();
    if db::media::exists(&mut *tx, hash.as_str()).await? {
        return Ok(Uploaded::Existing(hash));
    }
    let segments: Vec<String> = processed
        .variants
        .iter()
        .map(|v| v.variant.segment())
        .collect();
    let variants: Vec<db::media::NewVariant> = processed
        .variants
        .iter()
        .zip(&segments)
        .map(|(v, segment)| db::media::NewVariant {
            variant: segment,
            content_type: v.content_type,
            width: v.size.width as i64,
            height: v.size.height as i64,
            bytes: &v.bytes,
        })
        .collect();
    db::media::insert(
        &mut tx,
        &db::media::NewMedia {
            sha256: hash.as_str(),
            content_type: processed.content_type,
            width: processed.size.width as i64,
            height: processed.size.height as i64,
            file_name: &file_name,
            bytes: &bytes,
        },
        &variants,
        actor.user_id()?,
        now,
    )
    .await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "media.uploaded",
        &format!("media:{hash}"),
        &json!({
            "file_name": file_name,
            "content_type": processed.content_type,
            "width": processed.size.width,
            "height": processed.size.height,
            "bytes": bytes.len(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(Uploaded::New(hash))
}

/// An uploaded image as the builders name it: its public URL (without a size) and its
/// pixel size. `None` when no such upload exists.
pub async fn image_ref(
    pool: &SqlitePool,
    public_url: &str,
    hash: &str,
) -> AppResult<Option<ImageRef>> {
    let Some(hash) = MediaHash::parse(hash.trim()) else {
        return Ok(None);
    };
    let Some(row) = db::media::find(pool, hash.as_str()).await? else {
        return Ok(None);
    };
    Ok(Some(ImageRef {
        base_url: media_url(public_url, &hash, Variant::Original),
        size: Some(Size {
            width: row.width as u32,
            height: row.height as u32,
        }),
    }))
}

/// Turns the card and rich message builders of an editor form into the LINE JSON they
/// make (as `raw` messages), looking up their uploaded images. Other messages pass as they
/// are. Errors name the builder's fields, as `messages[i].field` with "Message i+1:", like
/// the other message errors.
pub async fn expand_builders(
    pool: &SqlitePool,
    public_url: &str,
    messages: &[crate::domain::message::MessageInput],
) -> AppResult<Result<Vec<crate::domain::message::MessageInput>, Vec<FieldError>>> {
    use crate::domain::builders;
    use crate::domain::message::{MessageInput, MessageKind};
    let mut out = Vec::with_capacity(messages.len());
    let mut errors = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let built = match MessageKind::parse(&m.kind) {
            Some(MessageKind::Card) => {
                let image = if !m.card_image.trim().is_empty() {
                    match image_ref(pool, public_url, &m.card_image).await? {
                        Some(r) => Some(r),
                        None => {
                            errors.push(FieldError::new(
                                format!("messages[{i}].card_image"),
                                format!(
                                    "Message {}: That image is not among sendgate's images; choose another.",
                                    i + 1
                                ),
                            ));
                            continue;
                        }
                    }
                } else if !m.card_image_url.trim().is_empty() {
                    Some(builders::ImageRef {
                        base_url: m.card_image_url.trim().to_string(),
                        size: None,
                    })
                } else {
                    None
                };
                builders::card_message(
                    &m.card_title,
                    &m.card_text,
                    &m.card_alt_text,
                    image.as_ref(),
                    &m.card_buttons,
                )
            }
            Some(MessageKind::Imagemap) => {
                let image = image_ref(pool, public_url, &m.im_image).await?;
                builders::imagemap_message(
                    image.as_ref(),
                    &m.im_alt_text,
                    &m.im_layout,
                    &m.im_areas,
                )
            }
            Some(MessageKind::Image) if !m.image_media.trim().is_empty() => {
                match MediaHash::parse(m.image_media.trim()) {
                    Some(hash) if db::media::exists(pool, hash.as_str()).await? => {
                        out.push(MessageInput {
                            original_content_url: media_url(public_url, &hash, Variant::Original),
                            preview_image_url: media_url(public_url, &hash, Variant::Preview),
                            ..m.clone()
                        });
                    }
                    _ => errors.push(FieldError::new(
                        format!("messages[{i}].image_media"),
                        format!(
                            "Message {}: That image is not among sendgate's images; choose another.",
                            i + 1
                        ),
                    )),
                }
                continue;
            }
            _ => {
                out.push(m.clone());
                continue;
            }
        };
        match built {
            Ok(json) => out.push(MessageInput::raw(
                serde_json::to_string(&json).expect("JSON values serialize"),
            )),
            Err(es) => errors.extend(es.into_iter().map(|e| {
                FieldError::new(
                    format!("messages[{i}].{}", e.field),
                    format!("Message {}: {}", i + 1, e.message),
                )
            })),
        }
    }
    Ok(if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, pixel: [u8; 3]) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb(pixel));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn an_upload_gets_every_size_line_asks_for() {
        let p = process(&png(2080, 1040, [10, 20, 30])).unwrap();
        assert_eq!(p.content_type, "image/png");
        assert_eq!(
            p.size,
            Size {
                width: 2080,
                height: 1040
            }
        );
        let sizes: Vec<(String, Size)> = p
            .variants
            .iter()
            .map(|v| (v.variant.segment(), v.size))
            .collect();
        for (w, h) in [(240, 120), (300, 150), (460, 230), (700, 350), (1040, 520)] {
            assert!(
                sizes.contains(&(
                    w.to_string(),
                    Size {
                        width: w,
                        height: h
                    }
                )),
                "{w}"
            );
        }
        assert!(sizes.contains(&(
            "preview".into(),
            Size {
                width: 240,
                height: 120
            }
        )));
        // Each made size decodes again.
        for v in &p.variants {
            image::load_from_memory(&v.bytes).unwrap();
        }
    }

    #[test]
    fn one_pixel_makes_another_hash() {
        let a = png(4, 4, [1, 2, 3]);
        let mut img = image::load_from_memory(&a).unwrap().to_rgb8();
        img.put_pixel(0, 0, image::Rgb([1, 2, 4]));
        let mut b = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img)
            .write_to(&mut b, ImageFormat::Png)
            .unwrap();
        assert_ne!(
            process(&a).unwrap().hash,
            process(&b.into_inner()).unwrap().hash
        );
    }

    #[test]
    fn anything_but_a_whole_jpeg_or_png_is_refused() {
        assert!(process(b"").unwrap_err().message.contains("Choose"));
        assert!(
            process(b"GIF89a....")
                .unwrap_err()
                .message
                .contains("not a JPEG or PNG")
        );
        let mut cut = png(50, 50, [0, 0, 0]);
        cut.truncate(cut.len() / 2);
        assert!(
            process(&cut)
                .unwrap_err()
                .message
                .contains("could not be read")
        );
        let big = vec![0u8; MAX_UPLOAD_BYTES + 1];
        assert!(process(&big).unwrap_err().message.contains("up to 10 MB"));
    }
}
