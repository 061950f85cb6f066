//! The demo account behind `sendgate serve --demo`: a realistic Japanese LINE account with
//! people, 2,000 friends, testers, segments and a draft in every state of the lifecycle,
//! an active greeting message (approved, tested, activated) that answers every new friend
//! added through the sandbox, and a wrong send of yesterday: its incident, its correction
//! draft, and LINE's statistics (from the sandbox) of how many opened it and clicked its
//! link. A step scenario (ステップ配信) welcomes new friends over three steps, approved,
//! tested and active, and the account has a Japanese name ([`ACCOUNT_NAME`]).
//!
//! Everything is written through the same services the web app uses (users, CSV import,
//! segments, drafts, reviews, test sends, previews, releases, the dispatcher, incidents,
//! the statistics reader), so the demo data passes every gate rule and is in the audit log
//! like any other change. It is only seeded into a database without users.

use std::sync::Arc;

use anyhow::{Context, anyhow};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::clock::{Clock, FixedClock};
use crate::db::{self, audit::Actor};
use crate::delivery::sandbox::Sandbox;
use crate::domain::audience::SegmentInput;
use crate::domain::message::MessageInput;
use crate::domain::review::Verdict;
use crate::domain::roles::Roles;
use crate::error::AppError;
use crate::jobs::releases::{self as dispatcher, Step};
use crate::services::drafts::{self, DraftInput};
use crate::services::releases::ReleaseRequest;
use crate::services::{
    audience, greeting, incidents, previews, releases, reviews, test_sends, testers, users,
};
use crate::state::AppState;

/// How many friends the demo account has.
pub const FRIENDS: usize = 2_000;

/// The demo account's name, shown above every chat preview and typed to activate the
/// greeting message.
pub const ACCOUNT_NAME: &str = "さくらカフェ";

/// The account name the demo serves with: the one given, unless it is the default one,
/// which the demo replaces with its own Japanese name.
pub fn account_name(given: &str) -> String {
    if given.trim().is_empty() || given == crate::config::Settings::default().account_name {
        ACCOUNT_NAME.to_string()
    } else {
        given.to_string()
    }
}

/// What `serve --demo` says when the database already has people: their passwords were
/// printed once, so how to set a new one, and how to start over.
pub fn reused_message(database: &str) -> String {
    format!(
        "Demo: {database} already has users; reusing them (their passwords were printed when it was seeded).\n\
         Forgot a password? Print a new one for that person (their sessions end; the change is in the audit log):\n\n    \
         sendgate --database {database} user reset-password --username {username} --generate\n\n\
         (from the source tree: cargo run --release -- --database {database} user reset-password --username {username} --generate)\n\
         To start over instead, stop sendgate, delete {database} and the {database}.audit-key and {database}.audit-head beside it, and run serve --demo again.\n",
        username = PEOPLE[0].1,
    )
}

/// One demo person and the password generated for them (shown once on the console).
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub role: &'static str,
    pub username: &'static str,
    pub display_name: &'static str,
    pub password: String,
}

/// The titles of the demo drafts, by the state each is left in.
pub struct DemoDrafts {
    pub draft: i64,
    pub one_approval: i64,
    pub changes_requested: i64,
    pub ready: i64,
    pub scheduled: i64,
    pub sent: i64,
}

pub struct Demo {
    pub users: Vec<DemoUser>,
    pub drafts: DemoDrafts,
    /// The incident on yesterday's wrong send (the `sent` draft's release).
    pub incident: i64,
    /// Its correction draft.
    pub correction: i64,
    /// The active greeting message's draft.
    pub greeting: i64,
    /// The active step scenario.
    pub scenario: i64,
}

const PEOPLE: [(&str, &str, &str); 4] = [
    ("marketer", "misaki", "佐藤 美咲"),
    ("reviewer", "kenta", "鈴木 健太"),
    ("reviewer", "yuko", "高橋 優子"),
    ("admin", "makoto", "田中 誠"),
];

const SURNAMES: [&str; 20] = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
];
const GIVEN: [&str; 20] = [
    "陽菜",
    "結衣",
    "さくら",
    "美咲",
    "葵",
    "凛",
    "花子",
    "真央",
    "愛",
    "七海",
    "蓮",
    "大翔",
    "悠真",
    "湊",
    "健太",
    "翔太",
    "拓海",
    "誠",
    "一郎",
    "直樹",
];
const CITIES: [(&str, u32); 5] = [
    ("東京", 35),
    ("大阪", 20),
    ("名古屋", 15),
    ("福岡", 15),
    ("札幌", 15),
];
const AGES: [&str; 5] = ["20代", "30代", "40代", "50代", "60代以上"];

fn password(rng: &mut impl Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The moment the demo is seeded at: now, or a moment before quiet hours began when now
/// is inside them, so that "send now" releases pass the schedule rule and are still
/// outside them once the undo window has passed and the dispatcher sends.
fn seed_time(now: DateTime<Utc>, policy: &crate::domain::policy::ReleasePolicy) -> DateTime<Utc> {
    let quiet = |t: DateTime<Utc>| policy.quiet_hours.contains(t, policy.time_zone);
    let mut t = now;
    let window = Duration::seconds(policy.release_hold_seconds) + Duration::minutes(15);
    for _ in 0..(48 * 4) {
        if !quiet(t) && !quiet(t + window) {
            return t;
        }
        t -= Duration::minutes(15);
    }
    now
}

/// `state` as it was at `at`: its clock, and in sandbox mode a sandbox on that clock too,
/// so what the sandbox records (and the statistics it makes of it) carries that time.
fn state_at(state: &AppState, at: DateTime<Utc>) -> AppState {
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(at));
    let provider: Arc<dyn crate::delivery::DeliveryProvider> = if state.provider.name() == "sandbox"
    {
        Arc::new(Sandbox::new(
            state.pool.clone(),
            clock.clone(),
            state.settings.sandbox_monthly_limit,
        ))
    } else {
        state.provider.clone()
    };
    AppState {
        clock,
        provider,
        ..state.clone()
    }
}

/// The wrong send of yesterday: its message has a link, so the statistics show clicks.
const WRONG_SEND: [&str; 2] = [
    "お久しぶりです！またお会いできるのを楽しみにしています。",
    "ご来店時に使える15%オフクーポンをご用意しました。今月末まで有効です。\nクーポンの受け取りはこちら https://coupon.example.jp/welcome-back",
];

/// The CSV of the demo friends: Japanese names, a city tag and sometimes VIP, 新規 (followed
/// in the last 30 days) or 休眠 (dormant); gender, age group and member rank attributes.
pub fn friends_csv(now: DateTime<Utc>) -> String {
    let mut rng = StdRng::seed_from_u64(20_261_120);
    let mut csv =
        String::from("user_id,display_name,tags,followed_at,attr:gender,attr:age,attr:rank\n");
    for i in 1..=FRIENDS {
        let name = format!(
            "{} {}",
            SURNAMES[rng.random_range(0..SURNAMES.len())],
            GIVEN[rng.random_range(0..GIVEN.len())]
        );
        let mut roll = rng.random_range(0..100u32);
        let city = CITIES
            .iter()
            .find(|(_, share)| {
                if roll < *share {
                    true
                } else {
                    roll -= share;
                    false
                }
            })
            .map(|(c, _)| *c)
            .unwrap_or("東京");
        let mut tags = vec![city];
        let days_ago = if rng.random_bool(0.2) {
            tags.push("新規");
            rng.random_range(0..30)
        } else {
            rng.random_range(30..730)
        };
        if rng.random_bool(0.08) {
            tags.push("VIP");
        } else if days_ago > 180 && rng.random_bool(0.3) {
            tags.push("休眠");
        }
        let followed =
            now - Duration::days(days_ago) - Duration::minutes(rng.random_range(0..1440));
        let rank = if tags.contains(&"VIP") {
            "ゴールド"
        } else if rng.random_bool(0.3) {
            "シルバー"
        } else {
            "レギュラー"
        };
        csv.push_str(&format!(
            "U{:032x},{name},{},{},{},{},{rank}\n",
            0xde30_0000_u64 + i as u64,
            tags.join("|"),
            followed.to_rfc3339(),
            if rng.random_bool(0.6) {
                "女性"
            } else {
                "男性"
            },
            AGES[rng.random_range(0..AGES.len())],
        ));
    }
    csv
}

fn text_draft(kind: &str, title: &str, segment: Option<i64>, texts: &[&str]) -> DraftInput {
    DraftInput {
        kind: kind.into(),
        title: title.into(),
        segment_id: segment,
        messages: texts.iter().map(|t| MessageInput::text(*t)).collect(),
        ..DraftInput::default()
    }
}

/// Seeds the demo account when the database has no users; `None` when it already has some.
pub async fn seed(state: &AppState) -> anyhow::Result<Option<Demo>> {
    let pool = &state.pool;
    if db::users::count(pool).await? > 0 {
        return Ok(None);
    }
    let policy = db::policy::get(pool).await?;
    let now = seed_time(state.clock.now(), &policy);
    // Yesterday's wrong send goes out a day and more before now, so LINE's statistics of
    // it (read 1, 6 and 24 hours after it) are there when the demo opens.
    let yesterday = seed_time(now - Duration::hours(26), &policy);
    let then = state_at(state, yesterday);
    // The dispatcher steps below run at the seeding moment too.
    let state = state_at(state, now);
    let state = &state;
    let mut rng = StdRng::from_os_rng();
    let cli = Actor::cli();

    let mut people = Vec::new();
    let mut ids = Vec::new();
    for (role, username, display_name) in PEOPLE {
        let password = password(&mut rng);
        let id = users::create(
            pool,
            yesterday,
            &cli,
            &users::NewUserInput {
                username: username.into(),
                display_name: display_name.into(),
                password: password.clone(),
                roles: Roles::parse_list(role).map_err(|e| anyhow!(e))?,
            },
        )
        .await
        .map_err(|e| anyhow!("creating {username}: {e:?}"))?;
        ids.push(id);
        people.push(DemoUser {
            role,
            username,
            display_name,
            password,
        });
    }
    let marketer = Actor::user(ids[0], PEOPLE[0].2);
    let reviewer_rows = [
        db::users::find(pool, ids[1]).await?.context("reviewer 1")?,
        db::users::find(pool, ids[2]).await?.context("reviewer 2")?,
    ];
    let reviewer_actors = [
        Actor::user(ids[1], PEOPLE[1].2),
        Actor::user(ids[2], PEOPLE[2].2),
    ];

    audience::import_csv(
        pool,
        yesterday,
        &marketer,
        friends_csv(yesterday).into_bytes(),
        policy.time_zone,
    )
    .await
    .map_err(|e| anyhow!("importing the demo friends: {e:?}"))?;
    // The marketer's and the first reviewer's own phones are the testers, linked by the
    // admin (a person can also pair their phone themselves from the Testers page).
    let admin = Actor::user(ids[3], PEOPLE[3].2);
    for (n, owner) in [(1u64, ids[0]), (2, ids[1])] {
        testers::add_by_admin(
            pool,
            yesterday,
            &admin,
            &format!("U{:032x}", 0xde30_0000_u64 + n),
            owner,
        )
        .await
        .map_err(|e| anyhow!("adding a tester: {e:?}"))?;
    }
    let segment = |name: &str, any: &str, all: &str, none: &str| SegmentInput {
        name: name.into(),
        tags_any: any.into(),
        tags_all: all.into(),
        tags_none: none.into(),
        ..SegmentInput::default()
    };
    let mut segments = Vec::new();
    for input in [
        segment("VIP会員", "VIP", "", ""),
        segment("東京の新規友だち", "", "東京,新規", ""),
        segment("休眠のお客様（VIP除く）", "休眠", "", "VIP"),
    ] {
        segments.push(
            audience::save_segment(pool, yesterday, &marketer, None, &input)
                .await
                .map_err(|e| anyhow!("saving segment {}: {e:?}", input.name))?,
        );
    }
    let [vip, tokyo_new, dormant] = [segments[0], segments[1], segments[2]];
    let fail = |what: &'static str| move |e: AppError| anyhow!("{what}: {}", describe(e));

    // Yesterday: the coupon for dormant customers went out with the wrong discount.
    let sent = {
        let state = &then;
        let at = yesterday;
        let input = text_draft(
            "segment",
            "お久しぶりクーポン（休眠のお客様）",
            Some(dormant),
            &WRONG_SEND,
        );
        let content = drafts::parse_input(pool, &input)
            .await
            .map_err(|e| anyhow!("demo draft {:?}: {}", input.title, describe(e)))?;
        let id = drafts::create(pool, at, &marketer, &content)
            .await
            .map_err(fail("creating the sent draft"))?;
        drafts::submit(pool, at, &marketer, id)
            .await
            .map_err(fail("submitting the sent draft"))?;
        let preview = approve_test_preview(
            state,
            at,
            &marketer,
            &reviewer_rows,
            &reviewer_actors[0],
            id,
        )
        .await?;
        release_now(state, at, &marketer, id, preview).await?;
        dispatch_all(&state_at(state, at + Duration::minutes(2))).await?;
        id
    };
    let release_id = db::releases::live_for_draft(pool, sent)
        .await?
        .context("the sent draft's release")?;
    // A shop clerk noticed it half an hour later.
    let incident = incidents::report(
        pool,
        yesterday + Duration::minutes(35),
        &marketer,
        release_id,
        &incidents::ReportInput {
            what_was_wrong: "割引率を「15%オフ」と記載しましたが、正しくは「10%オフ」でした。"
                .into(),
            severity: "high".into(),
            noticed_by: "店舗スタッフ（お客様からの問い合わせ）".into(),
            noticed_at: String::new(),
        },
    )
    .await
    .map_err(fail("reporting the incident"))?;
    // LINE's statistics of it, read 1, 6 and 24 hours after the send.
    for after in [Duration::hours(1), Duration::hours(6), Duration::hours(24)] {
        let reading = state_at(&then, yesterday + Duration::minutes(2) + after);
        crate::jobs::insights::read_one(&reading).await?;
    }

    let tomorrow_noon = (now.with_timezone(&policy.time_zone) + Duration::days(1))
        .format("%Y-%m-%dT12:00")
        .to_string();
    let drafts_in_order = [
        text_draft(
            "broadcast",
            "年末年始の営業時間のお知らせ",
            None,
            &[
                "【年末年始の営業時間】\n12月30日〜1月3日は休業いたします。\n1月4日より通常営業です。今年も大変お世話になりました。",
            ],
        ),
        text_draft(
            "broadcast",
            "新商品「濃厚抹茶ラテ」発売",
            None,
            &[
                "お待たせしました！冬の新商品「濃厚抹茶ラテ」が本日発売です🍵",
                "京都・宇治の抹茶をたっぷり使った、ほろ苦くやさしい甘さの一杯。全店でお試しください。",
            ],
        ),
        text_draft(
            "segment",
            "週末限定クーポン（東京の新規友だち）",
            Some(tokyo_new),
            &[
                "友だち追加ありがとうございます！\n今週末だけ使える10%オフクーポンをお届けします。店頭でこの画面をご提示ください。",
            ],
        ),
        text_draft(
            "segment",
            "VIP様限定 ウィンターセール先行案内",
            Some(vip),
            &[
                "いつもご愛顧いただきありがとうございます。",
                "VIP会員様だけの先行セールを開催します。全品20%オフ、12月10日〜12日の3日間限定です。",
            ],
        ),
        DraftInput {
            send_at_local: tomorrow_noon,
            ..text_draft(
                "segment",
                "東京の新規友だちへ：来店クーポン",
                Some(tokyo_new),
                &[
                    "東京エリアの店舗で使える来店クーポン（500円引き）をプレゼント🎁\nお会計時にこのメッセージをお見せください。",
                ],
            )
        },
    ];
    let mut draft_ids = Vec::new();
    for input in &drafts_in_order {
        let content = drafts::parse_input(pool, input)
            .await
            .map_err(|e| anyhow!("demo draft {:?}: {}", input.title, describe(e)))?;
        draft_ids.push(
            drafts::create(pool, now, &marketer, &content)
                .await
                .map_err(|e| anyhow!("creating {:?}: {}", input.title, describe(e)))?,
        );
    }
    let d = DemoDrafts {
        draft: draft_ids[0],
        one_approval: draft_ids[1],
        changes_requested: draft_ids[2],
        ready: draft_ids[3],
        scheduled: draft_ids[4],
        sent,
    };

    for id in [d.one_approval, d.changes_requested, d.ready, d.scheduled] {
        drafts::submit(pool, now, &marketer, id)
            .await
            .map_err(fail("submitting a demo draft"))?;
    }
    reviews::record(
        pool,
        now,
        &reviewer_rows[0],
        d.one_approval,
        1,
        Verdict::Approve,
        "写真映えする一杯ですね。内容OKです。",
    )
    .await
    .map_err(fail("approving"))?;
    reviews::record(
        pool,
        now,
        &reviewer_rows[1],
        d.changes_requested,
        1,
        Verdict::RequestChanges,
        "クーポンの有効期限と対象店舗が本文にありません。追記をお願いします。",
    )
    .await
    .map_err(fail("requesting changes"))?;

    for id in [d.ready, d.scheduled] {
        let preview = approve_test_preview(
            state,
            now,
            &marketer,
            &reviewer_rows,
            &reviewer_actors[0],
            id,
        )
        .await?;
        if id == d.scheduled {
            release_now(state, now, &marketer, id, preview).await?;
        }
    }
    dispatch_all(state).await?;
    let greeting =
        activate_greeting(state, now, &marketer, &reviewer_rows, &reviewer_actors[0]).await?;
    let scenario =
        activate_scenario(state, now, &marketer, &reviewer_rows, &reviewer_actors[0]).await?;
    // Today the marketer starts the correction of yesterday's mistake.
    let correction = incidents::create_correction(pool, now, &marketer, incident, "ja")
        .await
        .map_err(fail("making the correction draft"))?;
    Ok(Some(Demo {
        users: people,
        drafts: d,
        incident,
        correction: correction.draft_id,
        greeting,
        scenario,
    }))
}

/// The welcome scenario (ステップ配信): three steps after a friend's first add, each
/// approved by both reviewers and test-sent, its impact previewed and acknowledged, and
/// activated with its name typed.
async fn activate_scenario(
    state: &AppState,
    at: DateTime<Utc>,
    marketer: &Actor,
    reviewers: &[db::users::UserRow; 2],
    confirmer: &Actor,
) -> anyhow::Result<i64> {
    use crate::domain::scenario::Trigger;
    use crate::services::scenarios::{self, ActivationRequest, StepInput};
    let fail = |what: &'static str| move |e: AppError| anyhow!("{what}: {}", describe(e));
    let pool = &state.pool;
    let name = "新規友だちウェルカムシナリオ";
    let id = scenarios::create(state, at, marketer, name, Trigger::FirstAdd.as_str())
        .await
        .map_err(fail("creating the step scenario"))?;
    let steps = [
        (
            "0",
            "10",
            "",
            "ウェルカム1: お店のご紹介",
            "さくらカフェのLINEへようこそ☕\n季節のドリンクと焼き菓子のお店です。営業時間は毎日9:00〜20:00です。",
        ),
        (
            "1",
            "",
            "12:00",
            "ウェルカム2: 人気メニュー",
            "人気No.1は「さくらラテ」。桜の香りのミルクラテで、春以外も通年でお楽しみいただけます🌸",
        ),
        (
            "3",
            "",
            "18:00",
            "ウェルカム3: ご来店のお願い",
            "まだご来店いただいていない方へ。お会計時にこのトークを見せていただくと、焼き菓子をひとつプレゼントします🎁",
        ),
    ];
    let mut drafts_of_steps = Vec::new();
    for (days, minutes, at_time, title, text) in steps {
        let draft = scenarios::add_step(
            state,
            at,
            marketer,
            id,
            &StepInput {
                delay_days: days.into(),
                delay_minutes: minutes.into(),
                delay_at: at_time.into(),
                title: title.into(),
                text: text.into(),
                segment_id: None,
            },
        )
        .await
        .map_err(fail("adding a step"))?;
        drafts_of_steps.push(draft);
    }
    for draft in drafts_of_steps {
        drafts::submit(pool, at, marketer, draft)
            .await
            .map_err(fail("submitting a step"))?;
        approve_and_test(state, at, reviewers, marketer, confirmer, draft).await?;
    }
    let preview = scenarios::take_preview(state, at, marketer, id)
        .await
        .map_err(fail("previewing the scenario"))?;
    scenarios::acknowledge_preview(state, at, marketer, id, preview)
        .await
        .map_err(fail("acknowledging the scenario preview"))?;
    scenarios::activate(
        state,
        at,
        marketer,
        id,
        &ActivationRequest {
            typed_name: name.into(),
            read_warning: true,
            acknowledged_warnings: Vec::new(),
        },
    )
    .await
    .map_err(fail("activating the step scenario"))?;
    Ok(id)
}

/// The greeting every new friend gets: written by the marketer, approved by both reviewers,
/// test-sent and confirmed, and activated with the account's name typed.
async fn activate_greeting(
    state: &AppState,
    at: DateTime<Utc>,
    marketer: &Actor,
    reviewers: &[db::users::UserRow; 2],
    confirmer: &Actor,
) -> anyhow::Result<i64> {
    let fail = |what: &'static str| move |e: AppError| anyhow!("{what}: {}", describe(e));
    let pool = &state.pool;
    let id = greeting::create_draft(
        pool,
        at,
        marketer,
        "友だち追加のあいさつ",
        "友だち追加ありがとうございます！☕\nカフェの新メニューやお得なクーポンをお届けします。\n初回のご来店で使えるドリンク50円引きクーポンは、次のメッセージでお送りします。",
    )
    .await
    .map_err(fail("writing the greeting message"))?;
    drafts::submit(pool, at, marketer, id)
        .await
        .map_err(fail("submitting the greeting message"))?;
    approve_and_test(state, at, reviewers, marketer, confirmer, id).await?;
    greeting::activate(
        state,
        at,
        marketer,
        id,
        &greeting::ActivationRequest {
            typed_name: state.settings.account_name.clone(),
            read_warning: true,
            acknowledged_warnings: Vec::new(),
        },
    )
    .await
    .map_err(fail("activating the greeting message"))?
    .map_err(|report| {
        let why: Vec<String> = report.failing().map(|c| c.reason.clone()).collect();
        anyhow!("activating the greeting message: {}", why.join(" "))
    })?;
    Ok(id)
}

/// Two approvals and a confirmed test send of a submitted draft's first revision.
async fn approve_and_test(
    state: &AppState,
    at: DateTime<Utc>,
    reviewers: &[db::users::UserRow; 2],
    marketer: &Actor,
    confirmer: &Actor,
    id: i64,
) -> anyhow::Result<()> {
    let fail = |what: &'static str| move |e: AppError| anyhow!("{what}: {}", describe(e));
    let pool = &state.pool;
    for r in reviewers {
        reviews::record(pool, at, r, id, 1, Verdict::Approve, "")
            .await
            .map_err(fail("approving"))?;
    }
    let test = test_sends::send(state, at, marketer, id, &uuid::Uuid::new_v4().to_string())
        .await
        .map_err(fail("test-sending"))?;
    test_sends::confirm(state, at, confirmer, id, test)
        .await
        .map_err(fail("confirming a test send"))?;
    Ok(())
}

/// Two approvals, a confirmed test send and an acknowledged audience preview of a
/// submitted draft's first revision; returns the preview.
async fn approve_test_preview(
    state: &AppState,
    at: DateTime<Utc>,
    marketer: &Actor,
    reviewers: &[db::users::UserRow; 2],
    confirmer: &Actor,
    id: i64,
) -> anyhow::Result<i64> {
    let fail = |what: &'static str| move |e: AppError| anyhow!("{what}: {}", describe(e));
    approve_and_test(state, at, reviewers, marketer, confirmer, id).await?;
    let preview = previews::take(state, at, marketer, id)
        .await
        .map_err(fail("taking a preview"))?;
    previews::acknowledge(state, at, marketer, id, preview)
        .await
        .map_err(fail("acknowledging a preview"))?;
    Ok(preview)
}

/// Releases a draft whose gate is green, typing the phrase as a person would.
async fn release_now(
    state: &AppState,
    at: DateTime<Utc>,
    marketer: &Actor,
    id: i64,
    preview: i64,
) -> anyhow::Result<()> {
    let preview = db::previews::find(&state.pool, preview)
        .await?
        .context("the preview just taken")?;
    releases::release(
        state,
        at,
        marketer,
        id,
        &ReleaseRequest {
            typed_phrase: releases::expected_phrase(preview.recipient_count),
            read_warning: true,
            acknowledged_warnings: Vec::new(),
        },
    )
    .await
    .map_err(|e| anyhow!("releasing: {}", describe(e)))?
    .map_err(|report| {
        let why: Vec<String> = report.failing().map(|c| c.reason.clone()).collect();
        anyhow!("releasing: {}", why.join(" "))
    })?;
    Ok(())
}

/// Sends what is due through the provider, as the dispatcher would.
async fn dispatch_all(state: &AppState) -> anyhow::Result<()> {
    for _ in 0..10_000 {
        if dispatcher::dispatch_one(state).await? == Step::Idle {
            break;
        }
    }
    Ok(())
}

fn describe(e: AppError) -> String {
    match e {
        AppError::Invalid(errors) => errors
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        AppError::Conflict(why) | AppError::Forbidden(why) => why,
        other => format!("{other:#}"),
    }
}

/// The console table of the demo people: role, user name, password, where to sign in.
pub fn credentials_table(users: &[DemoUser], url: &str) -> String {
    let mut out = format!(
        "{:<10} {:<10} {:<18} {:<18} {}\n",
        "role", "user name", "display name", "password", "URL"
    );
    for u in users {
        // CJK characters take two columns in a terminal.
        let width: usize = u
            .display_name
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum();
        let pad = " ".repeat(18usize.saturating_sub(width));
        out.push_str(&format!(
            "{:<10} {:<10} {}{pad} {:<18} {url}/login\n",
            u.role, u.username, u.display_name, u.password
        ));
    }
    out
}
