//! `/media`: images stored in sendgate (issue #17). Marketers upload JPEG and PNG images
//! (and imagemap base images); everyone signed in sees the library; `GET /media/{hash}` and
//! its sizes are public, because LINE fetches them without a session. The hash in the URL
//! is what makes that safe: it names exact bytes, and nothing under it ever changes, so it
//! is served with immutable cache headers.

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::db;
use crate::domain::FieldError;
use crate::domain::media::{MAX_UPLOAD_BYTES, MediaHash, Variant, media_url};
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::services::media::{self, Uploaded};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};
use crate::web::views::local_time;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/media",
            get(library)
                .post(upload)
                // The file, the form's other parts and the multipart framing.
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .route("/media/{hash}", get(original))
        .route("/media/{hash}/{variant}", get(variant))
}

pub struct MediaView {
    pub hash: String,
    pub hash_short: String,
    pub file_name: String,
    pub size: String,
    pub kilobytes: i64,
    pub uploaded: String,
    pub uploaded_by: String,
    /// The public URL (the original; an imagemap's `baseUrl`).
    pub url: String,
    pub card_url: String,
    pub preview_path: String,
}

#[derive(Template)]
#[template(path = "media/list.html")]
struct LibraryPage {
    layout: Layout,
    can_upload: bool,
    images: Vec<MediaView>,
    errors: FormErrors,
    public_url: String,
    public_url_is_https: bool,
}

async fn library_page(
    state: &AppState,
    user: &CurrentUser,
    flash: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<LibraryPage> {
    let tz = user.time_zone();
    let public_url = state.settings.public_url();
    let images = db::media::recent(&state.pool, 200)
        .await?
        .into_iter()
        .filter_map(|m| {
            let hash = MediaHash::parse(&m.sha256)?;
            Some(MediaView {
                hash_short: hash.short().to_string(),
                url: media_url(&public_url, &hash, Variant::Original),
                card_url: media_url(&public_url, &hash, Variant::Width(700)),
                preview_path: format!("/media/{hash}/preview"),
                size: format!("{} × {}", m.width, m.height),
                kilobytes: m.byte_size.div_euclid(1024).max(1),
                uploaded: local_time(m.uploaded_at, tz),
                uploaded_by: m.uploaded_by_name,
                file_name: m.file_name,
                hash: hash.to_string(),
            })
        })
        .collect();
    Ok(LibraryPage {
        layout: Layout::for_user(&user.0, "Images", "/media", flash),
        can_upload: user.0.user.roles.may(Permission::WriteDrafts),
        images,
        errors: FormErrors(errors),
        public_url_is_https: public_url.starts_with("https://"),
        public_url,
    })
}

async fn library(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    Ok(render(
        &library_page(&state, &user, flash, Vec::new()).await?,
    ))
}

async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    mut form: Multipart,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let why = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "This file is larger than 10 MB; LINE takes images up to 10 MB.".to_string()
                } else {
                    format!("The upload did not arrive whole ({e}); try again.")
                };
                return refused(&state, &user, FieldError::new("file", why)).await;
            }
        };
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("image").to_string();
            match field.bytes().await {
                Ok(bytes) => file = Some((name, bytes.to_vec())),
                Err(e) => {
                    let why = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        "This file is larger than 10 MB; LINE takes images up to 10 MB.".to_string()
                    } else {
                        format!("The upload did not arrive whole ({e}); try again.")
                    };
                    return refused(&state, &user, FieldError::new("file", why)).await;
                }
            }
        }
    }
    let Some((name, bytes)) = file else {
        return refused(
            &state,
            &user,
            FieldError::new("file", "Choose an image file to upload."),
        )
        .await;
    };
    match media::upload(&state.pool, state.clock.now(), &user.actor(), &name, bytes).await {
        Ok(Uploaded::New(hash)) => Ok(redirect_with(
            &format!("/media#m-{hash}"),
            &format!("Uploaded {name}. Choose it in the card or rich message builder of a draft."),
        )),
        Ok(Uploaded::Existing(hash)) => Ok(redirect_with(
            &format!("/media#m-{hash}"),
            &format!("{name} is already stored (the same image was uploaded before)."),
        )),
        Err(AppError::Invalid(mut errors)) => refused(&state, &user, errors.remove(0)).await,
        Err(e) => Err(e),
    }
}

async fn refused(state: &AppState, user: &CurrentUser, error: FieldError) -> AppResult<Response> {
    let page = library_page(state, user, None, vec![error]).await?;
    Ok(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn serve(state: &AppState, hash: &str, variant: Variant) -> AppResult<Response> {
    let hash = MediaHash::parse(hash).ok_or(AppError::NotFound)?;
    let blob = db::media::blob(&state.pool, hash.as_str(), &variant.segment())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut response = Body::from(blob.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&blob.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // The bytes under a hash never change.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{hash}-{}\"", variant.segment())) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}

async fn original(State(state): State<AppState>, Path(hash): Path<String>) -> AppResult<Response> {
    serve(&state, &hash, Variant::Original).await
}

async fn variant(
    State(state): State<AppState>,
    Path((hash, variant)): Path<(String, String)>,
) -> AppResult<Response> {
    let variant = Variant::parse(&variant)
        .filter(|v| *v != Variant::Original)
        .ok_or(AppError::NotFound)?;
    serve(&state, &hash, variant).await
}
