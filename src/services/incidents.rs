//! Incidents (issue #8): reporting a mistake on a sent release, making the correction draft
//! in one step, and closing the incident with what will prevent it next time. Each step is
//! one write transaction with its audit event.
//!
//! It also guards the correction's audience: a correction draft must reach exactly the
//! original release's recipients. [`correction_target`] is asked when a correction is
//! saved, previewed and released; a segment correction's preview copies the original
//! frozen snapshot (same user ids, same hash) instead of evaluating a segment again, and a
//! broadcast correction stays a broadcast. Anything else is refused.
//!
//! Approvals: a correction needs `correction_required_approvals` (policy, default 1) of
//! reviewers other than its authors. The large-audience extra approval still applies: a
//! correction to ten thousand people is as irreversible as the mistake it corrects.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::db::{self, audit::Actor, releases::ReleaseRow};
use crate::domain::FieldError;
use crate::domain::incident::{self, IncidentReport};
use crate::domain::message::{Message, Messages};
use crate::domain::revision::{DraftKind, MAX_TITLE_CHARS, RevisionContent, Title};
use crate::error::{AppError, AppResult};
use crate::services::notifications::{self, Event};

/// When the original release went out (finished sending, or its send time).
pub fn sent_at(release: &ReleaseRow) -> DateTime<Utc> {
    release.finished_at.unwrap_or(release.send_at)
}

/// The report form, as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReportInput {
    pub what_was_wrong: String,
    pub severity: String,
    pub noticed_by: String,
    /// `YYYY-MM-DDTHH:MM` in the account's time zone; empty means now.
    pub noticed_at: String,
}

/// Opens an incident on a sent (or partly sent) release; returns its id.
pub async fn report(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    release_id: i64,
    input: &ReportInput,
) -> AppResult<i64> {
    let by = actor.user_id()?;
    let mut tx = db::begin_write(pool).await?;
    let release = db::releases::find(&mut *tx, release_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !matches!(release.state.as_str(), "sent" | "failed") {
        return Err(AppError::Conflict(format!(
            "This release is {}; a mistake can be reported once it was sent.",
            release.state
        )));
    }
    if received(&release) == 0 {
        return Err(AppError::Conflict(
            "LINE accepted this release for nobody, so no customer received it; there is nothing to correct.".into(),
        ));
    }
    let tz = db::policy::get(&mut *tx).await?.time_zone;
    let mut errors = Vec::new();
    let noticed_at = match crate::services::drafts::parse_local_time(&input.noticed_at, tz) {
        Ok(t) => t,
        Err(_) => {
            errors.push(FieldError::new(
                "noticed_at",
                "Enter when it was noticed as a date and a time, for example 2026-11-20 10:20, or leave it empty for now.",
            ));
            None
        }
    };
    let report: IncidentReport = match incident::validate_report(
        &input.what_was_wrong,
        &input.severity,
        &input.noticed_by,
        noticed_at,
        sent_at(&release),
        now,
    ) {
        Ok(r) if errors.is_empty() => r,
        Ok(_) => return Err(AppError::Invalid(errors)),
        Err(e) => {
            errors.extend(e);
            return Err(AppError::Invalid(errors));
        }
    };
    let id = db::incidents::insert(&mut *tx, release_id, &report, by, now).await?;
    db::audit::append(
        &mut tx,
        now,
        actor,
        "incident.opened",
        &format!("incident:{id}"),
        &json!({
            "release": release_id,
            "draft": release.draft_id,
            "severity": report.severity.as_str(),
            "what_was_wrong": report.what_was_wrong,
            "noticed_by": report.noticed_by,
            "noticed_at": report.noticed_at.to_rfc3339(),
        }),
    )
    .await?;
    let draft = db::drafts::find(&mut *tx, release.draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    notifications::record(
        &mut tx,
        now,
        &Event::IncidentOpened {
            incident_id: id,
            title: draft.title.clone(),
            severity: report.severity.as_str().to_string(),
            actor_id: by,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Makes the correction draft of an incident in one step: prefilled with the apology
/// template in `language` (with `○○` where the person writes what customers should read),
/// followed by the original messages to fix, targeting exactly the recipients who received
/// the original.
pub async fn create_correction(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    incident_id: i64,
    language: &str,
) -> AppResult<Correction> {
    let mut tx = db::begin_write(pool).await?;
    let inc = db::incidents::find(&mut *tx, incident_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(d) = inc.correction_draft_id {
        return Err(AppError::Conflict(format!(
            "This incident already has its correction draft (#{d})."
        )));
    }
    if inc.state != "open" {
        return Err(AppError::Conflict(
            "This incident is closed; no correction can be made from it.".into(),
        ));
    }
    let release = db::releases::find(&mut *tx, inc.release_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let original = original_content(&mut tx, &release).await?;
    if original.kind() == DraftKind::Step {
        return Err(AppError::Conflict(
            "Step messages are corrected in their scenario; a correction draft is made for broadcasts and segment sends.".into(),
        ));
    }
    let tz = db::policy::get(&mut *tx).await?.time_zone;
    let language = if incident::APOLOGY_LANGUAGES.contains(&language) {
        language
    } else {
        "ja"
    };
    let template = db::incidents::apology_template(&mut *tx, language)
        .await?
        .unwrap_or_default();
    // Written for the apology's readers, in its language. The draft's title and the
    // incident's note are internal: the apology says ○○ where the person writes what the
    // customers should read (a leftover ○○ blocks the release).
    let when = sent_at(&release)
        .with_timezone(&tz)
        .format(if language == "ja" {
            "%Y年%-m月%-d日 %H:%M"
        } else {
            "%-d %b %Y %H:%M"
        })
        .to_string();
    let apology = incident::fill_apology(&template, &incident::customer_facing(&when));
    let mut messages = vec![Message::Text { text: apology }];
    // The apology takes one of LINE's five places: what does not fit is named, not lost.
    let room = crate::domain::message::MAX_MESSAGES - 1;
    messages.extend(original.messages().iter().take(room).cloned());
    let left_out: Vec<usize> = (room + 1..=original.messages().len()).collect();
    // The title is the team's, in the language of the apology they chose.
    let lang = crate::i18n::Lang::parse(language).unwrap_or(crate::i18n::Lang::Ja);
    let title: String = format!(
        "{}{}",
        crate::i18n::t_in(lang, "Correction: "),
        original.title().as_str()
    )
    .chars()
    .take(MAX_TITLE_CHARS)
    .collect();
    let content = RevisionContent::new(
        original.kind(),
        Title::parse(&title).map_err(|e| AppError::Invalid(vec![e]))?,
        Messages::new(messages).map_err(|e| AppError::Invalid(vec![e]))?,
        original.notification_disabled(),
        original.segment().cloned(),
        None,
    )
    .map_err(|e| AppError::Invalid(vec![e]))?;
    let draft_id = crate::services::drafts::create_in(&mut tx, now, actor, &content).await?;
    if !db::incidents::set_correction_draft(&mut *tx, incident_id, draft_id).await? {
        return Err(AppError::Conflict(
            "This incident already has its correction draft.".into(),
        ));
    }
    db::audit::append(
        &mut tx,
        now,
        actor,
        "incident.correction_drafted",
        &format!("incident:{incident_id}"),
        &json!({ "draft": draft_id, "release": release.id, "language": language, "kind": original.kind().as_str(), "left_out": left_out }),
    )
    .await?;
    tx.commit().await?;
    Ok(Correction { draft_id, left_out })
}

/// A correction draft just made, and the original messages that did not fit beside the
/// apology (LINE takes five at most), by their number in the original.
pub struct Correction {
    pub draft_id: i64,
    pub left_out: Vec<usize>,
}

/// Closes an incident with a note on what will prevent it next time.
pub async fn close(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    incident_id: i64,
    note: &str,
) -> AppResult<()> {
    let by = actor.user_id()?;
    let note = note.trim().replace("\r\n", "\n");
    if note.is_empty() {
        return Err(AppError::invalid(
            "closing_note",
            "Write what will prevent this next time before closing.",
        ));
    }
    crate::domain::input::bounded("closing_note", &note, crate::domain::input::caps::NOTE)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let mut tx = db::begin_write(pool).await?;
    db::incidents::find(&mut *tx, incident_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !db::incidents::close(&mut *tx, incident_id, &note, by, now).await? {
        return Err(AppError::Conflict(
            "This incident is already closed.".into(),
        ));
    }
    db::audit::append(
        &mut tx,
        now,
        actor,
        "incident.closed",
        &format!("incident:{incident_id}"),
        &json!({ "closing_note": note }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Admins edit the apology templates; both are validated before either is written.
pub async fn update_templates(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
    actor: &Actor,
    ja: &str,
    en: &str,
) -> AppResult<()> {
    let by = actor.user_id()?;
    let mut errors = Vec::new();
    let ja = incident::validate_template("apology_ja", ja).map_err(|e| errors.push(e));
    let en = incident::validate_template("apology_en", en).map_err(|e| errors.push(e));
    let (Ok(ja), Ok(en)) = (ja, en) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = db::begin_write(pool).await?;
    let mut changed = Vec::new();
    for (lang, body) in [("ja", &ja), ("en", &en)] {
        if db::incidents::apology_template(&mut *tx, lang)
            .await?
            .as_deref()
            != Some(body.as_str())
        {
            db::incidents::set_apology_template(&mut *tx, lang, body, by, now).await?;
            changed.push(lang);
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    db::audit::append(
        &mut tx,
        now,
        actor,
        "incident.template_changed",
        "apology_templates",
        &json!({ "languages": changed, "ja": ja, "en": en }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn original_content(tx: &mut db::Tx, release: &ReleaseRow) -> AppResult<RevisionContent> {
    let row = db::drafts::revision(&mut **tx, release.draft_id, release.revision_number)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(row.parsed()?)
}

/// Who a correction must reach: the original release's audience.
pub struct CorrectionTarget {
    pub incident_id: i64,
    pub release: ReleaseRow,
    pub kind: DraftKind,
    pub segment_id: Option<i64>,
}

impl CorrectionTarget {
    /// The hash of who received the original: the recipients LINE accepted (the whole
    /// snapshot for a release finished before that was recorded).
    pub fn accepted_hash(&self) -> Option<String> {
        self.release
            .accepted_hash
            .clone()
            .or_else(|| self.release.snapshot_hash.clone())
    }

    /// How many received the original.
    pub fn received(&self) -> i64 {
        received(&self.release)
    }
}

/// How many recipients LINE accepted of a finished release (all of them for one finished
/// before that was recorded).
pub fn received(release: &ReleaseRow) -> i64 {
    release.accepted.unwrap_or(release.recipients)
}

/// For a correction draft, its target, after checking that `content` aims at exactly the
/// original audience (same kind, same segment); `None` for an ordinary draft.
pub async fn correction_target(
    tx: &mut db::Tx,
    draft_id: i64,
    content: &RevisionContent,
) -> AppResult<Option<CorrectionTarget>> {
    let Some(incident_id) = db::incidents::for_correction_draft(&mut **tx, draft_id).await? else {
        return Ok(None);
    };
    let inc = db::incidents::find(&mut **tx, incident_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let release = db::releases::find(&mut **tx, inc.release_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let original = original_content(tx, &release).await?;
    let target = CorrectionTarget {
        incident_id,
        kind: original.kind(),
        segment_id: original.segment().map(|s| s.id),
        release,
    };
    if content.kind() != target.kind || content.segment().map(|s| s.id) != target.segment_id {
        return Err(AppError::Conflict(format!(
            "This is the correction of incident #{incident_id}: it must reach exactly the recipients of release #{} ({}), and nobody else. Its audience cannot be changed.",
            target.release.id,
            target.kind.label_en().to_lowercase()
        )));
    }
    Ok(Some(target))
}
