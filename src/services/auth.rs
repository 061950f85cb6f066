//! Signing in and out, the second factor, the sessions a person holds, and turning a
//! session cookie back into a user (DESIGN section 10, issue #18).
//!
//! Sign-in attempts are throttled in the database ([`crate::domain::throttle`]), per client
//! address, per account from one address and per account from everywhere, and counted
//! before the password is checked, so neither parallel requests nor a second server nor a
//! restart gets extra guesses, and an attacker's failures slow the attacker's address, not
//! the owner signing in from elsewhere. Everything a signed-out client sends is bounded
//! before it is looked up, hashed or written; failed sign-ins are audited compactly and at
//! most `login_audit_per_minute` a minute (the rest are counted in one event).

use std::net::IpAddr;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::db::{self, audit::Actor, users::UserRow};
use crate::domain::input::{caps, excerpt};
use crate::domain::policy::ReleasePolicy;
use crate::domain::throttle::{KeyState, Limit};
use crate::domain::two_factor::{SecondFactor, SecretSeal, read_second_factor, recovery_hash};
use crate::error::AppError;
use crate::services::passwords;
use crate::state::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "sendgate_session";
/// The cookie that carries a right password to the second-factor step.
pub const CHALLENGE_COOKIE: &str = "sendgate_2fa";
/// How long the second factor may take after the password.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// Codes tried against one challenge before it ends.
pub const CHALLENGE_ATTEMPTS: i64 = 5;

#[derive(Debug)]
pub enum LoginError {
    /// Wrong user name, password or code: one answer for all.
    Invalid,
    /// Right password, but the account was disabled by an admin.
    Disabled,
    /// Too many failures; try again in this many minutes.
    Throttled {
        minutes: i64,
    },
    /// Too many passwords are being checked right now.
    Busy,
    /// The second-factor step is over (expired, or too many codes): sign in again.
    ChallengeOver,
    Internal(AppError),
}

impl From<sqlx::Error> for LoginError {
    fn from(e: sqlx::Error) -> Self {
        LoginError::Internal(e.into())
    }
}

impl From<AppError> for LoginError {
    fn from(e: AppError) -> Self {
        LoginError::Internal(e)
    }
}

impl From<anyhow::Error> for LoginError {
    fn from(e: anyhow::Error) -> Self {
        if e.downcast_ref::<passwords::Busy>().is_some() {
            LoginError::Busy
        } else {
            LoginError::Internal(e.into())
        }
    }
}

/// Who is asking: the client address and the browser, bounded by the caller.
#[derive(Debug, Clone)]
pub struct Client {
    pub addr: IpAddr,
    pub user_agent: String,
}

pub struct NewSession {
    /// The raw token, for the cookie only. Never stored.
    pub token: String,
    pub user_id: i64,
}

/// What a right password leads to.
pub enum SignIn {
    Session(NewSession),
    /// The account has a second factor: the challenge token goes in its cookie.
    SecondFactor {
        challenge: String,
    },
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn random_handle() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

// ---------------------------------------------------------------------------------------
// Throttling

/// The keys one attempt counts against.
pub(crate) struct Keys {
    addr: String,
    pair: String,
    account: String,
    /// Every `pair:` key of this account starts with this.
    pair_prefix: String,
}

/// A name as typed, made a bounded key: names too long to exist are keyed by their hash.
fn name_key(name: &str) -> String {
    if name.chars().count() <= caps::SIGN_IN_NAME {
        name.to_string()
    } else {
        format!("#{}", &hex::encode(Sha256::digest(name.as_bytes()))[..32])
    }
}

impl Keys {
    pub(crate) fn new(name: &str, addr: IpAddr) -> Self {
        let name = name_key(name);
        Self {
            addr: format!("addr:{addr}"),
            pair: format!("pair:{name}@{addr}"),
            account: format!("acct:{name}"),
            pair_prefix: format!("pair:{name}@"),
        }
    }

    /// The keys of a second-factor attempt. The account's codes from everywhere are
    /// counted apart from its passwords, so wrong passwords from an attacker elsewhere
    /// never stop the owner's code (which then clears the password count).
    fn for_codes(name: &str, addr: IpAddr) -> Self {
        Self {
            account: format!("code:{}", name_key(name)),
            ..Self::new(name, addr)
        }
    }

    fn with_limits(&self, state: &AppState) -> [(&str, Limit); 3] {
        let s = &state.settings;
        let limit = |max_failures| Limit {
            max_failures,
            window: s.login_window,
        };
        [
            (self.addr.as_str(), limit(s.login_max_failures_per_address)),
            (self.pair.as_str(), limit(s.login_max_failures_per_account)),
            (
                self.account.as_str(),
                limit(s.login_max_failures_per_account_total),
            ),
        ]
    }
}

/// What a failed or refused attempt records: the name (cut short), the address.
pub(crate) struct Attempt<'a> {
    pub name: &'a str,
    pub addr: IpAddr,
}

impl Attempt<'_> {
    fn subject(&self) -> String {
        format!("username:{}", excerpt(self.name, 32))
    }

    fn details(&self) -> serde_json::Value {
        let mut d = json!({ "username": excerpt(self.name, 32), "address": self.addr.to_string() });
        let n = self.name.chars().count();
        if n > 32 {
            d["username_length"] = json!(n);
        }
        d
    }
}

/// Appends a sign-in failure event if this minute's budget allows, and the count of those
/// only counted in the minute before.
async fn audit_failure(
    tx: &mut db::Tx,
    state: &AppState,
    now: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    attempt: &Attempt<'_>,
    extra: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let budget =
        db::throttle::take_audit_budget(tx, now, state.settings.login_audit_per_minute).await?;
    if let Some((count, since)) = budget.unlogged_before {
        db::audit::append(
            tx,
            now,
            &Actor::system(),
            "login.failures_counted",
            "login",
            &json!({ "count": count, "since": since.to_rfc3339(), "per_minute": state.settings.login_audit_per_minute }),
        )
        .await?;
    }
    if budget.log {
        let mut details = attempt.details();
        if let (Some(d), Some(extra)) = (details.as_object_mut(), extra.as_object()) {
            d.extend(extra.clone());
        }
        db::audit::append(tx, now, actor, action, &attempt.subject(), &details).await?;
    }
    Ok(())
}

/// Counts one attempt against every key, before anything is checked, in one write; or
/// refuses it (audited) when a key is locked.
pub(crate) async fn begin_attempt(
    state: &AppState,
    keys: &Keys,
    attempt: &Attempt<'_>,
    now: DateTime<Utc>,
) -> Result<(), LoginError> {
    let mut tx = db::begin_write(&state.pool).await?;
    let mut counted = Vec::new();
    let mut wait = None;
    for (key, limit) in keys.with_limits(state) {
        let current = db::throttle::get(&mut *tx, key)
            .await?
            .unwrap_or_else(|| KeyState::fresh(now));
        if let Some(w) = current.locked(now) {
            wait = wait.max(Some(w));
        }
        counted.push((key, current.count_attempt(limit, now)));
    }
    if let Some(wait) = wait {
        let minutes = wait.minutes().max(1);
        audit_failure(
            &mut tx,
            state,
            now,
            &Actor::system(),
            "login.throttled",
            attempt,
            json!({ "minutes": minutes }),
        )
        .await?;
        tx.commit().await?;
        return Err(LoginError::Throttled { minutes });
    }
    for (key, s) in &counted {
        db::throttle::put(&mut *tx, key, s, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records a failed attempt (already counted by [`begin_attempt`]).
pub(crate) async fn record_failure(
    state: &AppState,
    now: DateTime<Utc>,
    user: Option<&UserRow>,
    attempt: &Attempt<'_>,
    reason: &str,
) -> Result<(), LoginError> {
    let actor = match user {
        Some(u) => Actor::user(u.id, &u.username),
        None => Actor::system(),
    };
    let mut tx = db::begin_write(&state.pool).await?;
    audit_failure(
        &mut tx,
        state,
        now,
        &actor,
        "login.failed",
        attempt,
        json!({ "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes back a right attempt: its own count on the address goes. Once the person is fully
/// proven (password and second factor, if any), the account's counts from this address and
/// from everywhere go too; a right password alone, for an account with a second factor,
/// only takes back its own count there, so knowing the password buys no extra codes.
pub(crate) async fn forgive(
    tx: &mut db::Tx,
    keys: &Keys,
    fully_proven: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut take_back_one = vec![keys.addr.as_str()];
    if fully_proven {
        db::throttle::delete(&mut **tx, &keys.pair).await?;
        db::throttle::delete(&mut **tx, &keys.account).await?;
    } else {
        take_back_one.extend([keys.pair.as_str(), keys.account.as_str()]);
    }
    for key in take_back_one {
        if let Some(s) = db::throttle::get(&mut **tx, key).await? {
            db::throttle::put(&mut **tx, key, &s.forgive_one(), now).await?;
        }
    }
    Ok(())
}

/// Forgets every failed sign-in of an account (a password reset clears the backoff an
/// attacker built up, from every address).
pub async fn clear_failures(tx: &mut db::Tx, username: &str) -> Result<u64, sqlx::Error> {
    let addr = IpAddr::from([0, 0, 0, 0]);
    let (passwords, codes) = (Keys::new(username, addr), Keys::for_codes(username, addr));
    db::throttle::delete(&mut **tx, &codes.account).await?;
    db::throttle::clear_account(&mut **tx, &passwords.account, &passwords.pair_prefix).await
}

// ---------------------------------------------------------------------------------------
// Sign-in

/// Checks a password (bounded first) against a user's hash, or against the dummy hash when
/// there is no such user, so a wrong name costs the same as a wrong password.
pub(crate) async fn password_matches(
    state: &AppState,
    user: Option<&UserRow>,
    password: &str,
) -> Result<bool, LoginError> {
    let stored = user
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.to_string());
    // No stored password is longer than the cap; a longer one is checked cut (for the
    // time it takes) and is wrong anyway.
    let too_long = password.chars().count() > caps::PASSWORD;
    let typed: String = password.chars().take(caps::PASSWORD).collect();
    let ok = passwords::verify(stored, typed).await?;
    Ok(ok && !too_long && user.is_some())
}

/// The first step: user name and password.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    client: &Client,
    next: &str,
) -> Result<SignIn, LoginError> {
    let now = state.clock.now();
    let name = username.trim().to_lowercase();
    let keys = Keys::new(&name, client.addr);
    let attempt = Attempt {
        name: &name,
        addr: client.addr,
    };
    begin_attempt(state, &keys, &attempt, now).await?;

    // A name longer than any user name is not looked up.
    let user = if name.chars().count() <= caps::SIGN_IN_NAME {
        db::users::find_by_username(&state.pool, &name).await?
    } else {
        None
    };
    let password_ok = password_matches(state, user.as_ref(), password).await?;
    let failure = match (&user, password_ok) {
        (None, _) => Some("unknown user name"),
        (Some(_), false) => Some("wrong password"),
        (Some(u), true) if !u.is_active() => Some("account disabled"),
        _ => None,
    };
    if let Some(reason) = failure {
        record_failure(state, now, user.as_ref(), &attempt, reason).await?;
        return Err(if reason == "account disabled" {
            LoginError::Disabled
        } else {
            LoginError::Invalid
        });
    }
    let user = user.expect("checked above");

    let totp = db::two_factor::totp(&state.pool, user.id).await?;
    let mut tx = db::begin_write(&state.pool).await?;
    if totp.is_some_and(|t| t.confirmed_at.is_some()) {
        forgive(&mut tx, &keys, false, now).await?;
        let challenge = random_token();
        db::two_factor::insert_challenge(
            &mut tx,
            &db::two_factor::NewChallenge {
                token_hash: &hash_token(&challenge),
                user_id: user.id,
                next,
                address: &client.addr.to_string(),
                user_agent: &client.user_agent,
                expires_at: now + CHALLENGE_LIFETIME,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(SignIn::SecondFactor { challenge });
    }
    forgive(&mut tx, &keys, true, now).await?;
    let details = json!({ "address": client.addr.to_string() });
    let token = open_session(&mut tx, state, &user, client, "password", details, now).await?;
    tx.commit().await?;
    Ok(SignIn::Session(NewSession {
        token,
        user_id: user.id,
    }))
}

/// A challenge still open, for the second-factor page: where to go after it.
pub async fn open_challenge(
    state: &AppState,
    challenge: &str,
) -> Result<Option<db::two_factor::ChallengeRow>, AppError> {
    let now = state.clock.now();
    Ok(
        db::two_factor::challenge(&state.pool, &hash_token(challenge))
            .await?
            .filter(|c| c.expires_at > now && c.attempts < CHALLENGE_ATTEMPTS),
    )
}

/// Checks a code from the app, or a recovery code, for `user`: `Some(method)` when right.
/// The app code's step is used up in `tx`, so the same code never works twice.
pub(crate) async fn second_factor_matches(
    tx: &mut db::Tx,
    secrets: &SecretSeal,
    user_id: i64,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Option<&'static str>, sqlx::Error> {
    match read_second_factor(typed) {
        SecondFactor::Code(code) => {
            let Some(row) = db::two_factor::totp(&mut **tx, user_id).await? else {
                return Ok(None);
            };
            let step = secrets
                .secret(user_id, &row.secret)
                .filter(|_| row.confirmed_at.is_some())
                .and_then(|s| s.check(&code, now.timestamp()));
            Ok(match step {
                Some(step) if db::two_factor::use_step(&mut **tx, user_id, step).await? => {
                    Some("totp")
                }
                _ => None,
            })
        }
        SecondFactor::Recovery(code) => {
            Ok(
                db::two_factor::use_recovery_code(&mut **tx, user_id, &recovery_hash(&code), now)
                    .await?
                    .then_some("recovery code"),
            )
        }
        SecondFactor::Unreadable => Ok(None),
    }
}

/// The second step: a code from the app or a recovery code. Returns the session and the
/// page to go to.
pub async fn complete_second_factor(
    state: &AppState,
    challenge: &str,
    code: &str,
    client: &Client,
) -> Result<(NewSession, String), LoginError> {
    let now = state.clock.now();
    let challenge_hash = hash_token(challenge);
    let Some(open) = open_challenge(state, challenge).await? else {
        return Err(LoginError::ChallengeOver);
    };
    let Some(user) = db::users::find(&state.pool, open.user_id).await? else {
        return Err(LoginError::ChallengeOver);
    };
    let keys = Keys::for_codes(&user.username, client.addr);
    let attempt = Attempt {
        name: &user.username,
        addr: client.addr,
    };
    begin_attempt(state, &keys, &attempt, now).await?;
    let mut tx = db::begin_write(&state.pool).await?;
    let attempts = db::two_factor::count_challenge_attempt(&mut *tx, &challenge_hash).await?;
    let method = if user.is_active() {
        second_factor_matches(&mut tx, state.seal.secrets(), user.id, code, now).await?
    } else {
        None
    };
    let Some(method) = method else {
        if attempts >= CHALLENGE_ATTEMPTS {
            db::two_factor::delete_challenge(&mut *tx, &challenge_hash).await?;
        }
        tx.commit().await?;
        record_failure(state, now, Some(&user), &attempt, "wrong second factor").await?;
        return Err(if attempts >= CHALLENGE_ATTEMPTS {
            LoginError::ChallengeOver
        } else {
            LoginError::Invalid
        });
    };
    // Fully proven: the codes' count goes, and so does the password count an attacker
    // may have built up against the account from elsewhere.
    forgive(&mut tx, &keys, true, now).await?;
    db::throttle::delete(&mut *tx, &Keys::new(&user.username, client.addr).account).await?;
    db::two_factor::delete_challenge(&mut *tx, &challenge_hash).await?;
    let mut details = json!({ "address": client.addr.to_string(), "second_factor": method });
    if method == "recovery code" {
        details["recovery_codes_left"] =
            json!(db::two_factor::unused_recovery_codes(&mut *tx, user.id).await?);
    }
    let token = open_session(&mut tx, state, &user, client, method, details, now).await?;
    tx.commit().await?;
    Ok((
        NewSession {
            token,
            user_id: user.id,
        },
        open.next,
    ))
}

/// Writes a new session for `user`, proved by `proof` just now, ends their oldest sessions
/// beyond the cap, and audits the sign-in (`details`, plus how many sessions ended).
async fn open_session(
    tx: &mut db::Tx,
    state: &AppState,
    user: &UserRow,
    client: &Client,
    proof: &str,
    mut details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let token = random_token();
    db::sessions::insert(
        &mut **tx,
        &db::sessions::NewSession {
            token_hash: &hash_token(&token),
            handle: &random_handle(),
            user_id: user.id,
            user_agent: &client.user_agent,
            address: &client.addr.to_string(),
            proof,
        },
        now,
    )
    .await?;
    let cap = state.settings.max_sessions_per_user.max(1);
    let ended = db::sessions::keep_newest(&mut **tx, user.id, cap).await?;
    if ended > 0 {
        details["oldest_sessions_ended"] = json!(ended);
    }
    db::audit::append(
        tx,
        now,
        &Actor::user(user.id, &user.username),
        "login",
        &format!("user:{}", user.id),
        &details,
    )
    .await?;
    Ok(token)
}

/// Creates a session without a password check, for the user who just completed setup (they
/// have just chosen their password, which is a proof).
pub async fn start_session(
    tx: &mut db::Tx,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let token = random_token();
    db::sessions::insert(
        &mut **tx,
        &db::sessions::NewSession {
            token_hash: &hash_token(&token),
            handle: &random_handle(),
            user_id,
            user_agent: "",
            address: "",
            proof: "password",
        },
        now,
    )
    .await?;
    Ok(token)
}

// ---------------------------------------------------------------------------------------
// Sessions

/// A session that is still valid, with its user.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub token_hash: String,
    /// Names this session on its owner's sessions page.
    pub handle: String,
    pub user: UserRow,
    /// True when messages go to the sandbox; every page then says so.
    pub sandbox: bool,
    /// Unread notifications, for the count in the header.
    pub unread: i64,
    /// The interface language the user picked (`ja`, `en`), `None` until they pick one.
    pub language: Option<String>,
    /// The release policy as it stood when the request began, read with the session: pages
    /// show times in its zone and explain the gate by it. A write that decides by the
    /// policy (a release, a scenario's activation) reads it again inside its own transaction.
    pub policy: ReleasePolicy,
    /// When the user last proved who they are in this session, and how.
    pub proved_at: Option<DateTime<Utc>>,
    pub proof: Option<String>,
    /// Whether the user signs in with a second factor.
    pub totp: bool,
}

impl ActiveSession {
    /// The policy asks for a second factor this user has not set up yet: until they do,
    /// they may only set it up (or sign out).
    pub fn must_enrol(&self) -> bool {
        !self.totp && self.policy.requires_totp(self.user.roles)
    }
}

/// Resolves a cookie token, in one read. Expired sessions (idle by the policy, or past
/// their absolute lifetime) and sessions of disabled users are removed and yield `None`.
pub async fn resolve(state: &AppState, token: &str) -> Result<Option<ActiveSession>, AppError> {
    let now = state.clock.now();
    let token_hash = hash_token(token);
    let Some(found) = db::sessions::find_signed_in(&state.pool, &token_hash).await? else {
        return Ok(None);
    };
    let session = &found.session;
    let idle = Duration::minutes(found.policy.session_idle_minutes);
    let idle_expired = now - session.last_seen_at >= idle;
    let absolute_expired = now - session.created_at >= state.settings.session_absolute;
    if !found.user.is_active() || idle_expired || absolute_expired {
        db::sessions::delete(&state.pool, &token_hash).await?;
        return Ok(None);
    }
    // Refresh at most once a minute: a page view should not always be a write.
    if now - session.last_seen_at >= Duration::minutes(1) {
        db::sessions::touch(&state.pool, &token_hash, now).await?;
    }
    Ok(Some(ActiveSession {
        token_hash,
        handle: found.session.handle,
        proved_at: found.session.proved_at,
        proof: found.session.proof,
        totp: found.totp,
        unread: found.unread,
        language: found.language,
        policy: found.policy,
        user: found.user,
        sandbox: state.provider.name() == "sandbox",
    }))
}

pub async fn logout(state: &AppState, session: &ActiveSession) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = db::begin_write(&state.pool).await?;
    db::sessions::delete(&mut *tx, &session.token_hash).await?;
    db::audit::append(
        &mut tx,
        now,
        &Actor::user(session.user.id, &session.user.username),
        "logout",
        &format!("user:{}", session.user.id),
        &json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends one of the signed-in person's own sessions (from their sessions page).
pub async fn end_session(
    state: &AppState,
    session: &ActiveSession,
    handle: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = db::begin_write(&state.pool).await?;
    if !db::sessions::delete_by_handle(&mut *tx, session.user.id, handle).await? {
        return Err(AppError::NotFound);
    }
    db::audit::append(
        &mut tx,
        now,
        &Actor::user(session.user.id, &session.user.username),
        "session.ended",
        &format!("user:{}", session.user.id),
        &json!({ "session": excerpt(handle, 8), "own": handle == session.handle }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the signed-in person but this one; returns how many.
pub async fn end_other_sessions(
    state: &AppState,
    session: &ActiveSession,
) -> Result<u64, AppError> {
    let now = state.clock.now();
    let mut tx = db::begin_write(&state.pool).await?;
    let ended = db::sessions::delete_others(&mut *tx, session.user.id, &session.token_hash).await?;
    db::audit::append(
        &mut tx,
        now,
        &Actor::user(session.user.id, &session.user.username),
        "session.ended_others",
        &format!("user:{}", session.user.id),
        &json!({ "sessions_ended": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// Deletes sessions past their idle or absolute lifetime, and throttle counts nobody has
/// added to for a day.
pub async fn sweep(state: &AppState) -> Result<u64, AppError> {
    let now = state.clock.now();
    let policy = db::policy::get(&state.pool).await?;
    let sessions = db::sessions::delete_expired(
        &state.pool,
        now - Duration::minutes(policy.session_idle_minutes),
        now - state.settings.session_absolute,
    )
    .await?;
    let counts = db::throttle::sweep(&state.pool, now).await?;
    Ok(sessions + counts)
}
