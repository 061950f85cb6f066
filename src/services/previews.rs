//! Audience previews (gate rule 4): count the current revision's recipients, show a sample
//! and the quota it will use, and for segment sends freeze the exact recipient list with
//! its hash; then a person acknowledges what they saw.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::db::{self, audit::Actor};
use crate::domain::audience::{SegmentRules, SnapshotHasher};
use crate::domain::revision::{DraftKind, RevisionContent};
use crate::error::{AppError, AppResult};
use crate::services::drafts::{Current, load_current};
use crate::state::AppState;

const SAMPLE_SIZE: i64 = 20;
const HASH_PAGE: i64 = 10_000;

/// The segment rules a revision froze when it was saved.
pub fn frozen_rules(content: &RevisionContent) -> AppResult<SegmentRules> {
    match content.segment() {
        Some(s) => serde_json::from_value(s.rules.clone()).map_err(|e| {
            AppError::Internal(anyhow::anyhow!(
                "segment rules in a revision do not parse: {e}"
            ))
        }),
        None => Ok(SegmentRules::default()),
    }
}

/// Takes a preview of the draft's current revision; returns its id.
pub async fn take(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
) -> AppResult<i64> {
    let by = actor.user_id()?;
    let pool = &state.pool;
    let tz = db::policy::get(pool).await?.time_zone;
    // Ask the provider first: it is a network call and must not hold the write lock.
    let quota = state.provider.quota().await.ok();

    let mut tx = db::begin_write(pool).await?;
    let Current {
        revision, content, ..
    } = load_current(&mut tx, draft_id, "there is nothing left to preview").await?;
    if content.kind() == DraftKind::Step {
        return Err(AppError::Conflict(
            "Step messages are previewed from their scenario's impact preview.".into(),
        ));
    }
    if content.kind() == DraftKind::Greeting {
        return Err(AppError::Conflict(
            "A greeting message has no audience to preview: it goes to each new friend the moment they add the account.".into(),
        ));
    }
    // A correction reaches exactly the original release's recipients: its preview copies
    // that frozen snapshot instead of evaluating the segment again.
    let correction = crate::services::incidents::correction_target(&mut tx, draft_id, &content)
        .await?
        .and_then(|t| {
            let accepted = t.accepted_hash();
            t.release.preview_id.map(|p| (p, t.release.id, accepted))
        });
    let rules = frozen_rules(&content)?;
    let window = rules.follow_window(now, tz);
    let friend_count = db::friends::count_following(&mut *tx).await?;
    let sample: Vec<(String, String)> = match &correction {
        Some((from, release, _)) if content.kind() == DraftKind::Segment => {
            db::incidents::accepted_recipients(&mut *tx, *release, *from, "", SAMPLE_SIZE)
                .await?
                .into_iter()
                .map(|r| (r.user_id, r.display_name))
                .collect()
        }
        _ => db::friends::segment_sample(&mut *tx, &rules, window, SAMPLE_SIZE)
            .await?
            .into_iter()
            .map(|s| (s.user_id, s.display_name))
            .collect(),
    };
    let sample_json = serde_json::to_string(
        &sample
            .iter()
            .map(|(user_id, display_name)| json!({ "user_id": user_id, "display_name": display_name }))
            .collect::<Vec<_>>(),
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    let is_segment = content.kind() == DraftKind::Segment;
    let recipient_count = if is_segment { 0 } else { friend_count };
    let id = db::previews::insert(
        &mut *tx,
        &db::previews::NewPreview {
            draft_id,
            revision_number: revision.number,
            content_hash: &revision.content_hash,
            kind: content.kind().as_str(),
            recipient_count,
            friend_count,
            quota_limit: quota.and_then(|q| q.limit),
            quota_used: quota.map(|q| q.used),
            sample: &sample_json,
            taken_by: by,
        },
        now,
    )
    .await?;
    let mut details = json!({ "revision": revision.number, "content_hash": revision.content_hash, "friends": friend_count });
    if is_segment {
        let n = match &correction {
            Some((from, release, _)) => {
                db::incidents::copy_accepted(&mut *tx, *release, *from, id).await? as i64
            }
            None => db::friends::snapshot_segment(&mut *tx, id, &rules, window).await? as i64,
        };
        let mut hasher = SnapshotHasher::new();
        let mut after = String::new();
        loop {
            let page = db::previews::snapshot_page(&mut *tx, id, &after, HASH_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.clone();
            for u in &page {
                hasher.add(u);
            }
        }
        let hash = hasher.finish();
        if let Some((_, _, Some(original))) = &correction
            && *original != hash
        {
            return Err(AppError::Internal(anyhow::anyhow!(
                "the copied snapshot hashes to {hash}, not the original {original}"
            )));
        }
        db::previews::set_snapshot(&mut *tx, id, n, &hash).await?;
        details["recipients"] = json!(n);
        details["snapshot_hash"] = json!(hash);
    } else {
        details["recipients"] = json!(recipient_count);
    }
    db::audit::append(
        &mut tx,
        now,
        actor,
        "preview.taken",
        &format!("draft:{draft_id}"),
        &details,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A person confirms they looked at the preview. Only a preview of the current revision
/// can be acknowledged; acknowledging twice changes nothing.
pub async fn acknowledge(
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    draft_id: i64,
    preview_id: i64,
) -> AppResult<()> {
    let by = actor.user_id()?;
    let mut tx = db::begin_write(&state.pool).await?;
    let draft = db::drafts::find(&mut *tx, draft_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let preview = db::previews::find(&mut *tx, preview_id)
        .await?
        .filter(|p| p.draft_id == draft_id)
        .ok_or(AppError::NotFound)?;
    if preview.revision_number != draft.current_revision {
        return Err(AppError::Conflict(format!(
            "This preview is of revision {}, but the draft is now at revision {}; take a new preview.",
            preview.revision_number, draft.current_revision
        )));
    }
    if !db::previews::acknowledge(&mut *tx, preview_id, by, now).await? {
        return Ok(());
    }
    db::audit::append(
        &mut tx,
        now,
        actor,
        "preview.acknowledged",
        &format!("draft:{draft_id}"),
        &json!({ "preview": preview_id, "revision": preview.revision_number, "recipients": preview.recipient_count, "snapshot_hash": preview.snapshot_hash }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
