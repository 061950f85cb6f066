//! `/drafts...`: the list, the editor (new and edit), the draft page with its gate
//! checklist and history, single revisions, diffs, submit and withdraw. Reviews are in
//! `web::reviews`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::db;
use crate::domain::FieldError;
use crate::domain::builders::{AreaInput, ButtonInput, CARD_BUTTONS, IMAGEMAP_AREAS, LAYOUTS};
use crate::domain::diff::diff_revisions_in;
use crate::domain::message::{Message, MessageInput, MessageKind, utf16_len};
use crate::domain::revision::DraftKind;
use crate::domain::roles::Permission;
use crate::error::{AppError, AppResult};
use crate::services::drafts::{self, DraftInput, Saved};
use crate::services::media;
use crate::state::AppState;
use crate::web::draft_view::{self, DraftView};
use crate::web::extract::CurrentUser;
use crate::web::flash::{Flash, redirect_with};
use crate::web::pages::{FormErrors, Layout, render, render_with_status};
use crate::web::views::{BubbleSet, DiffView, DraftLine, PreviewView, RevisionView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/drafts", get(list).post(create))
        .route("/drafts/new", get(new_form))
        .route("/drafts/{id}", get(show).post(save))
        .route("/drafts/{id}/edit", get(edit_form))
        .route("/drafts/{id}/submit", post(submit))
        .route("/drafts/{id}/withdraw", post(withdraw))
        .route("/drafts/{id}/duplicate", post(duplicate))
        .route("/drafts/{id}/revisions/{n}", get(show_revision))
        .route("/drafts/{id}/diff", get(diff))
}

// ---------------------------------------------------------------------------------------
// The editor

/// The editor form: scalar fields plus one entry per message in each array, in order.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct EditorForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    notification_disabled: Option<String>,
    #[serde(default)]
    segment_id: String,
    #[serde(default)]
    send_at: String,
    #[serde(default)]
    base_revision: i64,
    #[serde(default)]
    action: String,
    #[serde(default)]
    msg_kind: Vec<String>,
    #[serde(default)]
    text: Vec<String>,
    #[serde(default)]
    original_content_url: Vec<String>,
    #[serde(default)]
    preview_image_url: Vec<String>,
    #[serde(default)]
    package_id: Vec<String>,
    #[serde(default)]
    sticker_id: Vec<String>,
    #[serde(default)]
    raw_json: Vec<String>,
    #[serde(default)]
    image_media: Vec<String>,
    // The card builder: one entry per message, buttons three per message in order.
    #[serde(default)]
    card_image: Vec<String>,
    #[serde(default)]
    card_image_url: Vec<String>,
    #[serde(default)]
    card_title: Vec<String>,
    #[serde(default)]
    card_text: Vec<String>,
    #[serde(default)]
    card_alt_text: Vec<String>,
    #[serde(default)]
    card_b_label: Vec<String>,
    #[serde(default)]
    card_b_kind: Vec<String>,
    #[serde(default)]
    card_b_value: Vec<String>,
    // The rich message builder: one entry per message, areas six per message in order.
    #[serde(default)]
    im_image: Vec<String>,
    #[serde(default)]
    im_alt_text: Vec<String>,
    #[serde(default)]
    im_layout: Vec<String>,
    #[serde(default)]
    im_x: Vec<String>,
    #[serde(default)]
    im_y: Vec<String>,
    #[serde(default)]
    im_w: Vec<String>,
    #[serde(default)]
    im_h: Vec<String>,
    #[serde(default)]
    im_kind: Vec<String>,
    #[serde(default)]
    im_value: Vec<String>,
}

impl EditorForm {
    pub(crate) fn input(&self) -> DraftInput {
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        DraftInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            notification_disabled: self.notification_disabled.is_some(),
            segment_id: self.segment_id.trim().parse().ok(),
            send_at_local: self.send_at.clone(),
            messages: (0..self.msg_kind.len())
                .map(|i| MessageInput {
                    kind: at(&self.msg_kind, i),
                    text: at(&self.text, i),
                    original_content_url: at(&self.original_content_url, i),
                    preview_image_url: at(&self.preview_image_url, i),
                    package_id: at(&self.package_id, i),
                    sticker_id: at(&self.sticker_id, i),
                    raw_json: at(&self.raw_json, i),
                    image_media: at(&self.image_media, i),
                    card_image: at(&self.card_image, i),
                    card_image_url: at(&self.card_image_url, i),
                    card_title: at(&self.card_title, i),
                    card_text: at(&self.card_text, i),
                    card_alt_text: at(&self.card_alt_text, i),
                    card_buttons: (0..CARD_BUTTONS)
                        .map(|k| ButtonInput {
                            label: at(&self.card_b_label, i * CARD_BUTTONS + k),
                            kind: at(&self.card_b_kind, i * CARD_BUTTONS + k),
                            value: at(&self.card_b_value, i * CARD_BUTTONS + k),
                        })
                        .collect(),
                    im_image: at(&self.im_image, i),
                    im_alt_text: at(&self.im_alt_text, i),
                    im_layout: at(&self.im_layout, i),
                    im_areas: (0..IMAGEMAP_AREAS)
                        .map(|k| {
                            let j = i * IMAGEMAP_AREAS + k;
                            AreaInput {
                                x: at(&self.im_x, j),
                                y: at(&self.im_y, j),
                                width: at(&self.im_w, j),
                                height: at(&self.im_h, j),
                                kind: at(&self.im_kind, j),
                                value: at(&self.im_value, j),
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// What an editor button asks for besides saving.
enum EditorAction {
    Save,
    /// Show the messages as LINE shows them (and their problems) without saving.
    Preview,
    Add,
    Remove(usize),
    Up(usize),
    Down(usize),
}

fn parse_action(raw: &str) -> EditorAction {
    let (verb, index) = raw.split_once(':').unwrap_or((raw, ""));
    let i = index.parse::<usize>().ok();
    match (verb, i) {
        ("add", _) => EditorAction::Add,
        ("preview", _) => EditorAction::Preview,
        ("remove", Some(i)) => EditorAction::Remove(i),
        ("up", Some(i)) => EditorAction::Up(i),
        ("down", Some(i)) => EditorAction::Down(i),
        _ => EditorAction::Save,
    }
}

/// Applies an add/remove/move button to the messages; returns false for Save.
fn apply_action(action: &EditorAction, messages: &mut Vec<MessageInput>) -> bool {
    match *action {
        EditorAction::Save | EditorAction::Preview => return false,
        EditorAction::Add => messages.push(MessageInput::text("")),
        EditorAction::Remove(i) if i < messages.len() => {
            messages.remove(i);
        }
        EditorAction::Up(i) if i > 0 && i < messages.len() => messages.swap(i, i - 1),
        EditorAction::Down(i) if i + 1 < messages.len() => messages.swap(i, i + 1),
        _ => {}
    }
    true
}

pub struct KindOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// An uploaded image a builder can use.
pub struct ImageChoice {
    pub hash: String,
    pub label: String,
    pub selected: bool,
}

pub struct ButtonRow {
    pub number: usize,
    pub input: ButtonInput,
}

pub struct AreaRow {
    pub number: usize,
    pub input: AreaInput,
}

pub struct MessageBlock {
    pub index: usize,
    pub image_choices: Vec<ImageChoice>,
    pub card_images: Vec<ImageChoice>,
    pub im_images: Vec<ImageChoice>,
    pub layouts: Vec<KindOption>,
    pub buttons: Vec<ButtonRow>,
    pub areas: Vec<AreaRow>,
    pub number: usize,
    pub kinds: Vec<KindOption>,
    pub kind: String,
    pub input: MessageInput,
    pub text_units: usize,
    pub errors: Vec<String>,
    pub is_first: bool,
    pub is_last: bool,
}

pub struct SegmentOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "drafts/editor.html")]
struct EditorPage {
    layout: Layout,
    draft_id: Option<i64>,
    action_url: String,
    base_revision: i64,
    kind_options: Vec<KindOption>,
    title: String,
    notification_disabled: bool,
    segments: Vec<SegmentOption>,
    send_at: String,
    time_zone: String,
    blocks: Vec<MessageBlock>,
    has_message_errors: bool,
    can_add: bool,
    errors: FormErrors,
    problem: Option<String>,
    /// The incident a correction draft corrects: its audience is fixed, so the editor
    /// offers no choice (the server refuses any other audience anyway).
    correction_of: Option<i64>,
    /// An existing draft's kind, which never changes: the editor shows it instead of a
    /// choice (the server keeps the stored kind whatever the form says).
    fixed_kind: Option<DraftKind>,
    /// A greeting is sent the moment a friend adds the account: no send time to choose.
    is_greeting: bool,
    /// The messages as LINE shows them, beside the form.
    preview: Option<PreviewView>,
}

/// The messages of the form that are valid so far, as LINE shows them.
pub(crate) async fn preview_of(
    state: &AppState,
    input: &DraftInput,
) -> AppResult<Option<PreviewView>> {
    let mut messages = Vec::new();
    for m in &input.messages {
        let expanded = media::expand_builders(
            &state.pool,
            &state.settings.public_url(),
            std::slice::from_ref(m),
        )
        .await?;
        if let Ok(expanded) = expanded
            && let Some(m) = expanded.first()
            && let Ok(message) = Message::parse(m)
        {
            messages.push(message);
        }
    }
    Ok((!messages.is_empty()).then(|| PreviewView::new(&messages)))
}

/// The form with its builders turned into LINE JSON, or the builders' problems.
async fn expanded(state: &AppState, input: &DraftInput) -> AppResult<Result<DraftInput, AppError>> {
    Ok(
        match media::expand_builders(&state.pool, &state.settings.public_url(), &input.messages)
            .await?
        {
            Ok(messages) => Ok(DraftInput {
                messages,
                ..input.clone()
            }),
            Err(errors) => Err(AppError::Invalid(errors)),
        },
    )
}

const MAX_MESSAGES: usize = 5;

async fn editor_page(
    state: &AppState,
    user: &CurrentUser,
    draft_id: Option<i64>,
    base_revision: i64,
    input: &DraftInput,
    errors: Vec<FieldError>,
    problem: Option<String>,
) -> AppResult<EditorPage> {
    let tz = user.time_zone();
    let segments = db::segments::choices(&state.pool).await?;
    let images = db::media::recent(&state.pool, 100).await?;
    let choices = |selected: &str| -> Vec<ImageChoice> {
        images
            .iter()
            .map(|m| ImageChoice {
                label: format!(
                    "{} ({} × {}, {})",
                    m.file_name,
                    m.width,
                    m.height,
                    &m.sha256[..12]
                ),
                selected: m.sha256 == selected.trim(),
                hash: m.sha256.clone(),
            })
            .collect()
    };
    let kind_options = [DraftKind::Broadcast, DraftKind::Segment]
        .into_iter()
        .map(|k| KindOption {
            value: k.as_str(),
            label: k.label_en(),
            selected: input.kind == k.as_str(),
        })
        .collect();
    let blocks: Vec<MessageBlock> = input
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let prefix = format!("messages[{i}].");
            MessageBlock {
                image_choices: choices(&m.image_media),
                card_images: choices(&m.card_image),
                im_images: choices(&m.im_image),
                layouts: LAYOUTS
                    .iter()
                    .map(|&(value, label)| KindOption {
                        value,
                        label,
                        selected: m.im_layout == value
                            || (m.im_layout.is_empty() && value == "full"),
                    })
                    .collect(),
                buttons: (0..CARD_BUTTONS)
                    .map(|k| ButtonRow {
                        number: k + 1,
                        input: m.card_buttons.get(k).cloned().unwrap_or_default(),
                    })
                    .collect(),
                areas: (0..IMAGEMAP_AREAS)
                    .map(|k| AreaRow {
                        number: k + 1,
                        input: m.im_areas.get(k).cloned().unwrap_or_default(),
                    })
                    .collect(),
                index: i,
                number: i + 1,
                kinds: MessageKind::ALL
                    .into_iter()
                    .map(|k| KindOption {
                        value: k.as_str(),
                        label: k.label(),
                        selected: MessageKind::parse(&m.kind).unwrap_or(MessageKind::Text) == k,
                    })
                    .collect(),
                kind: MessageKind::parse(&m.kind)
                    .unwrap_or(MessageKind::Text)
                    .as_str()
                    .to_string(),
                text_units: utf16_len(&m.text.replace("\r\n", "\n")),
                input: m.clone(),
                errors: errors
                    .iter()
                    .filter(|e| e.field.starts_with(&prefix))
                    .map(|e| e.message.clone())
                    .collect(),
                is_first: i == 0,
                is_last: i + 1 == input.messages.len(),
            }
        })
        .collect();
    let title = match draft_id {
        Some(id) => crate::i18n::tf("Edit draft #{id}", &[&id]),
        None => "New draft".to_string(),
    };
    let correction_of = match draft_id {
        Some(id) => db::incidents::for_correction_draft(&state.pool, id).await?,
        None => None,
    };
    let preview = preview_of(state, input).await?;
    let fixed_kind = draft_id.and_then(|_| DraftKind::parse(&input.kind));
    Ok(EditorPage {
        preview,
        correction_of,
        is_greeting: fixed_kind == Some(DraftKind::Greeting),
        fixed_kind,
        layout: Layout::for_user(&user.0, &title, "/drafts", None),
        draft_id,
        action_url: draft_id
            .map(|id| format!("/drafts/{id}"))
            .unwrap_or_else(|| "/drafts".to_string()),
        base_revision,
        kind_options,
        title: input.title.clone(),
        notification_disabled: input.notification_disabled,
        segments: segments
            .into_iter()
            .map(|(id, name)| SegmentOption {
                id,
                name,
                selected: input.segment_id == Some(id),
            })
            .collect(),
        send_at: input.send_at_local.clone(),
        time_zone: tz.name().to_string(),
        can_add: input.messages.len() < MAX_MESSAGES,
        has_message_errors: blocks.iter().any(|b: &MessageBlock| !b.errors.is_empty()),
        blocks,
        errors: FormErrors(
            errors
                .into_iter()
                .filter(|e| !e.field.starts_with("messages["))
                .collect(),
        ),
        problem,
    })
}

/// What saving the form would refuse, without saving (the preview button).
async fn problems_of(state: &AppState, input: &DraftInput) -> AppResult<Vec<FieldError>> {
    Ok(match expanded(state, input).await? {
        Ok(built) => match drafts::parse_input(&state.pool, &built).await {
            Ok(_) => Vec::new(),
            Err(AppError::Invalid(errors)) => errors,
            Err(e) => return Err(e),
        },
        Err(AppError::Invalid(errors)) => errors,
        Err(e) => return Err(e),
    })
}

async fn new_form(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let input = DraftInput {
        kind: DraftKind::Broadcast.as_str().into(),
        messages: vec![MessageInput::text("")],
        ..DraftInput::default()
    };
    let page = editor_page(&state, &user, None, 0, &input, Vec::new(), None).await?;
    Ok(render(&page))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<EditorForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let mut input = form.input();
    let action = parse_action(&form.action);
    if apply_action(&action, &mut input.messages) {
        let page = editor_page(&state, &user, None, 0, &input, Vec::new(), None).await?;
        return Ok(render(&page));
    }
    if let EditorAction::Preview = action {
        let errors = problems_of(&state, &input).await?;
        let page = editor_page(&state, &user, None, 0, &input, errors, None).await?;
        return Ok(render(&page));
    }
    let result = match expanded(&state, &input).await? {
        Ok(built) => match drafts::parse_input(&state.pool, &built).await {
            Ok(content) => {
                drafts::create(&state.pool, state.clock.now(), &user.actor(), &content).await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(redirect_with(
            &format!("/drafts/{id}"),
            "Draft saved as revision 1.",
        )),
        Err(AppError::Invalid(errors)) => {
            let page = editor_page(&state, &user, None, 0, &input, errors, None).await?;
            Ok(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let view = draft_view::load(&state, id, &user.0).await?;
    if !view.state.is_editable() {
        return Err(AppError::Conflict(format!(
            "This draft is {} and can no longer be edited. To send something similar, duplicate it into a new draft.",
            view.state.label().to_lowercase()
        )));
    }
    let input = DraftInput::from_content(&view.current.content, view.time_zone);
    let page = editor_page(
        &state,
        &user,
        Some(id),
        view.draft.current_revision,
        &input,
        Vec::new(),
        None,
    )
    .await?;
    Ok(render(&page))
}

async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<EditorForm>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let mut input = form.input();
    // A draft's kind never changes: whatever the form says, the stored kind is saved.
    let draft = db::drafts::find(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    input.kind = draft.kind;
    // A step's audience is its scenario's, a greeting's each new friend.
    if matches!(
        DraftKind::parse(&input.kind),
        Some(DraftKind::Step | DraftKind::Greeting)
    ) {
        input.segment_id = None;
    }
    let base = form.base_revision;
    let action = parse_action(&form.action);
    if apply_action(&action, &mut input.messages) {
        let page = editor_page(&state, &user, Some(id), base, &input, Vec::new(), None).await?;
        return Ok(render(&page));
    }
    if let EditorAction::Preview = action {
        let errors = problems_of(&state, &input).await?;
        let page = editor_page(&state, &user, Some(id), base, &input, errors, None).await?;
        return Ok(render(&page));
    }
    let result = match expanded(&state, &input).await? {
        Ok(built) => match drafts::parse_input(&state.pool, &built).await {
            Ok(content) => {
                drafts::save_revision(
                    &state.pool,
                    state.clock.now(),
                    &user.actor(),
                    id,
                    base,
                    &content,
                )
                .await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(Saved::NewRevision(n)) => Ok(redirect_with(
            &format!("/drafts/{id}"),
            &format!(
                "Saved as revision {n}. Approvals, test sends and previews of earlier revisions no longer count."
            ),
        )),
        Ok(Saved::Unchanged) => Ok(redirect_with(
            &format!("/drafts/{id}"),
            "Nothing changed, so no new revision was made.",
        )),
        Err(AppError::Invalid(errors)) => {
            let page = editor_page(&state, &user, Some(id), base, &input, errors, None).await?;
            Ok(render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(AppError::Conflict(why)) => {
            let page =
                editor_page(&state, &user, Some(id), base, &input, Vec::new(), Some(why)).await?;
            Ok(render_with_status(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------
// The list

#[derive(Deserialize, Default)]
struct ListQuery {
    state: Option<String>,
    kind: Option<String>,
    author: Option<String>,
    page: Option<i64>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "drafts/list.html")]
struct ListPage {
    layout: Layout,
    drafts: Vec<DraftLine>,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    authors: Vec<Choice>,
    can_write: bool,
    prev_page: Option<String>,
    next_page: Option<String>,
}

const LIST_PAGE: i64 = 50;

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let tz = user.time_zone();
    let filter = db::drafts::DraftFilter {
        state: non_empty(&q.state),
        kind: non_empty(&q.kind),
        author_id: non_empty(&q.author).and_then(|a| a.parse().ok()),
    };
    let page = q.page.unwrap_or(0).max(0);
    let rows = db::drafts::list(&state.pool, &filter, LIST_PAGE + 1, page * LIST_PAGE).await?;
    let has_more = rows.len() as i64 > LIST_PAGE;
    let drafts = rows
        .into_iter()
        .take(LIST_PAGE as usize)
        .map(|d| DraftLine::new(d, tz))
        .collect();
    let states = crate::domain::review::DraftState::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.label().into(),
            selected: filter.state.as_deref() == Some(s.as_str()),
        })
        .collect();
    let kinds = DraftKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: k.label_en().into(),
            selected: filter.kind.as_deref() == Some(k.as_str()),
        })
        .collect();
    let authors = db::users::list(&state.pool)
        .await?
        .into_iter()
        .filter(|u| u.roles.marketer)
        .map(|u| Choice {
            selected: filter.author_id == Some(u.id),
            value: u.id.to_string(),
            label: u.display_name,
        })
        .collect();
    let link = |p: i64| {
        let mut url = format!("/drafts?page={p}");
        for (k, v) in [("state", &filter.state), ("kind", &filter.kind)] {
            if let Some(v) = v {
                url.push_str(&format!("&{k}={}", crate::error::urlencode(v)));
            }
        }
        if let Some(a) = filter.author_id {
            url.push_str(&format!("&author={a}"));
        }
        url
    };
    Ok(render(&ListPage {
        layout: Layout::for_user(&user.0, "Drafts", "/drafts", flash),
        drafts,
        states,
        kinds,
        authors,
        can_write: user.0.user.roles.may(Permission::WriteDrafts),
        prev_page: (page > 0).then(|| link(page - 1)),
        next_page: has_more.then(|| link(page + 1)),
    }))
}

// ---------------------------------------------------------------------------------------
// The draft page, single revisions and diffs

#[derive(Template)]
#[template(path = "drafts/show.html")]
pub struct ShowPage {
    layout: Layout,
    v: DraftView,
    review_error: Option<String>,
    review_body: String,
}

/// The draft page, optionally with a refused review's reason and text shown at the form.
pub async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    flash: Option<String>,
    review_error: Option<String>,
    review_body: String,
) -> AppResult<ShowPage> {
    let v = draft_view::load(state, id, &user.0).await?;
    Ok(ShowPage {
        layout: Layout::for_user(&user.0, &v.draft.title, "/drafts", flash),
        v,
        review_error,
        review_body,
    })
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Flash(flash): Flash,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let page = show_page(&state, &user, id, flash, None, String::new()).await?;
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "drafts/revision.html")]
struct RevisionPage {
    layout: Layout,
    draft_id: i64,
    draft_title: String,
    current_revision: i64,
    revision: RevisionView,
}

async fn show_revision(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, n)): Path<(i64, i64)>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let draft = db::drafts::find(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tz = user.time_zone();
    let row = db::drafts::revision(&state.pool, id, n)
        .await?
        .ok_or(AppError::NotFound)?;
    let revision = RevisionView::new(&row, tz)?;
    Ok(render(&RevisionPage {
        layout: Layout::for_user(
            &user.0,
            &crate::i18n::tf("{title} · revision {n}", &[&draft.title, &n]),
            "/drafts",
            None,
        ),
        draft_id: id,
        draft_title: draft.title,
        current_revision: draft.current_revision,
        revision,
    }))
}

#[derive(Deserialize)]
struct DiffQuery {
    from: Option<i64>,
    to: Option<i64>,
}

#[derive(Template)]
#[template(path = "drafts/diff.html")]
struct DiffPage {
    layout: Layout,
    draft_id: i64,
    draft_title: String,
    from: i64,
    to: i64,
    diff: DiffView,
    /// Both revisions as they look in LINE, side by side.
    before: BubbleSet,
    after: BubbleSet,
    revisions: Vec<i64>,
}

async fn diff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DiffQuery>,
) -> AppResult<Response> {
    user.require(Permission::ReadDrafts)?;
    let draft = db::drafts::find(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let to = q.to.unwrap_or(draft.current_revision);
    let from = q.from.unwrap_or((to - 1).max(1));
    let load = |n: i64| {
        let pool = state.pool.clone();
        async move {
            let row = db::drafts::revision(&pool, id, n).await?.ok_or_else(|| {
                AppError::invalid("from", format!("Revision {n} does not exist."))
            })?;
            Ok::<_, AppError>(row.parsed()?)
        }
    };
    let (old, new) = match (load(from).await, load(to).await) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(AppError::Invalid(_)), _) | (_, Err(AppError::Invalid(_))) => {
            return Err(AppError::NotFound);
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let d = diff_revisions_in(crate::i18n::current(), user.time_zone(), &old, &new);
    Ok(render(&DiffPage {
        layout: Layout::for_user(
            &user.0,
            &crate::i18n::tf("{title} · changes", &[&draft.title]),
            "/drafts",
            None,
        ),
        draft_id: id,
        draft_title: draft.title,
        from,
        to,
        diff: DiffView::new(&d, &old, &new),
        before: BubbleSet::new(old.messages()),
        after: BubbleSet::new(new.messages()),
        revisions: (1..=draft.current_revision).collect(),
    }))
}

// ---------------------------------------------------------------------------------------
// Submit and withdraw

async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    drafts::submit(&state.pool, state.clock.now(), &user.actor(), id).await?;
    Ok(redirect_with(
        &format!("/drafts/{id}"),
        "Submitted for review. Reviewers see it on their dashboard.",
    ))
}

async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    drafts::withdraw(&state.pool, state.clock.now(), &user.actor(), id).await?;
    Ok(redirect_with(
        &format!("/drafts/{id}"),
        "Withdrawn from review. It is a draft again.",
    ))
}

async fn duplicate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Permission::WriteDrafts)?;
    let new = drafts::duplicate(&state.pool, state.clock.now(), &user.actor(), id).await?;
    Ok(redirect_with(
        &format!("/drafts/{new}"),
        "A new draft was made from it. It needs its own reviews, test send and preview.",
    ))
}
