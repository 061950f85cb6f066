//! The one-row `release_policy` table.

use chrono::{DateTime, NaiveTime, Utc};
use sqlx::SqliteExecutor;

use crate::domain::policy::{
    GreetingFallback, HeldMessages, QuietHours, ReleasePolicy, parse_time_of_day,
};

/// The policy's stored columns, as read; [`PolicyColumns::parse`] makes the policy.
pub struct PolicyColumns {
    pub required_approvals: i64,
    pub correction_required_approvals: i64,
    pub large_audience_threshold: i64,
    pub preview_max_age_minutes: i64,
    pub max_drift_percent: i64,
    pub quiet_hours_start: String,
    pub quiet_hours_end: String,
    pub time_zone: String,
    pub link_allow_list: String,
    pub held_messages: String,
    pub max_testers: i64,
    pub release_hold_seconds: i64,
    pub reauth_minutes: i64,
    pub session_idle_minutes: i64,
    pub totp_required_for_admins: bool,
    pub totp_required_for_releasers: bool,
    pub greet_refollows: bool,
    pub greeting_fallback: String,
    pub greeting_reply_deadline_seconds: i64,
}

impl PolicyColumns {
    pub fn parse(self) -> ReleasePolicy {
        let r = self;
        let defaults = ReleasePolicy::default();
        // The stored values were validated when written; a hand-edited bad value falls back
        // to the default rather than taking the app down.
        let time = |s: &str, d: NaiveTime| parse_time_of_day(s).unwrap_or(d);
        ReleasePolicy {
            required_approvals: r.required_approvals,
            correction_required_approvals: r.correction_required_approvals,
            large_audience_threshold: r.large_audience_threshold,
            preview_max_age_minutes: r.preview_max_age_minutes,
            max_drift_percent: r.max_drift_percent,
            quiet_hours: QuietHours {
                start: time(&r.quiet_hours_start, defaults.quiet_hours.start),
                end: time(&r.quiet_hours_end, defaults.quiet_hours.end),
            },
            time_zone: r.time_zone.parse().unwrap_or(defaults.time_zone),
            link_allow_list: r
                .link_allow_list
                .lines()
                .map(str::to_string)
                .filter(|l| !l.is_empty())
                .collect(),
            held_messages: HeldMessages::parse(&r.held_messages).unwrap_or_default(),
            max_testers: r.max_testers,
            release_hold_seconds: r.release_hold_seconds,
            reauth_minutes: r.reauth_minutes,
            session_idle_minutes: r.session_idle_minutes,
            totp_required_for_admins: r.totp_required_for_admins,
            totp_required_for_releasers: r.totp_required_for_releasers,
            greet_refollows: r.greet_refollows,
            greeting_fallback: GreetingFallback::parse(&r.greeting_fallback).unwrap_or_default(),
            greeting_reply_deadline_seconds: r.greeting_reply_deadline_seconds,
        }
    }
}

pub async fn get(ex: impl SqliteExecutor<'_>) -> Result<ReleasePolicy, sqlx::Error> {
    let columns = sqlx::query_as!(
        PolicyColumns,
        r#"SELECT required_approvals AS "required_approvals!: i64",
                  correction_required_approvals AS "correction_required_approvals!: i64",
                  large_audience_threshold AS "large_audience_threshold!: i64",
                  preview_max_age_minutes AS "preview_max_age_minutes!: i64",
                  max_drift_percent AS "max_drift_percent!: i64",
                  quiet_hours_start, quiet_hours_end, time_zone, link_allow_list, held_messages,
                  max_testers AS "max_testers!: i64",
                  release_hold_seconds AS "release_hold_seconds!: i64",
                  reauth_minutes AS "reauth_minutes!: i64",
                  session_idle_minutes AS "session_idle_minutes!: i64",
                  totp_required_for_admins AS "totp_required_for_admins!: bool",
                  totp_required_for_releasers AS "totp_required_for_releasers!: bool",
                  greet_refollows AS "greet_refollows!: bool", greeting_fallback,
                  greeting_reply_deadline_seconds AS "greeting_reply_deadline_seconds!: i64"
           FROM release_policy WHERE id = 1"#
    )
    .fetch_one(ex)
    .await?;
    Ok(columns.parse())
}

pub async fn update(
    ex: impl SqliteExecutor<'_>,
    p: &ReleasePolicy,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let start = p.quiet_hours.start.format("%H:%M").to_string();
    let end = p.quiet_hours.end.format("%H:%M").to_string();
    let tz = p.time_zone.name();
    let allow = p.link_allow_list.join("\n");
    let held = p.held_messages.as_str();
    let fallback = p.greeting_fallback.as_str();
    sqlx::query!(
        "UPDATE release_policy SET required_approvals = ?, correction_required_approvals = ?,
            large_audience_threshold = ?,
            preview_max_age_minutes = ?, max_drift_percent = ?, quiet_hours_start = ?,
            quiet_hours_end = ?, time_zone = ?, link_allow_list = ?, held_messages = ?,
            max_testers = ?, release_hold_seconds = ?,
            reauth_minutes = ?, session_idle_minutes = ?, totp_required_for_admins = ?,
            totp_required_for_releasers = ?, greet_refollows = ?,
            greeting_fallback = ?, greeting_reply_deadline_seconds = ?, updated_at = ?,
            updated_by = ?
         WHERE id = 1",
        p.required_approvals,
        p.correction_required_approvals,
        p.large_audience_threshold,
        p.preview_max_age_minutes,
        p.max_drift_percent,
        start,
        end,
        tz,
        allow,
        held,
        p.max_testers,
        p.release_hold_seconds,
        p.reauth_minutes,
        p.session_idle_minutes,
        p.totp_required_for_admins,
        p.totp_required_for_releasers,
        p.greet_refollows,
        fallback,
        p.greeting_reply_deadline_seconds,
        now,
        by
    )
    .execute(ex)
    .await?;
    Ok(())
}
