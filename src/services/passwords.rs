//! argon2id hashing, on the blocking pool so a sign-in never stalls the async workers, and
//! never more than a few at once (issue #18): each check holds about 19 MB, so a flood of
//! parallel sign-ins would otherwise take gigabytes. The rest wait their turn, for a while.

use std::sync::OnceLock;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

/// A new random password of 16 letters and digits, without the ones easily misread
/// (`l`, `1`, `I`, `O`, `0`, `o`): about 93 bits, for a person to type once and change.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// How long a password check waits for its turn before the request is told to try again.
const WAIT: Duration = Duration::from_secs(10);

/// Checks and hashes running at once in this process: one per core, at most four.
pub fn at_once() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4)
}

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(at_once()))
}

/// Too many passwords are being checked at once: the request should be tried again.
#[derive(Debug, thiserror::Error)]
#[error("too many password checks are waiting; try again in a moment")]
pub struct Busy;

async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let _permit = tokio::time::timeout(WAIT, permits().acquire())
        .await
        .map_err(|_| Busy)?
        .expect("the semaphore is never closed");
    Ok(tokio::task::spawn_blocking(work).await?)
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    run(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
    })
    .await?
}

/// False for a wrong password and for a malformed stored hash alike.
pub async fn verify(stored_hash: String, password: String) -> anyhow::Result<bool> {
    run(move || {
        PasswordHash::new(&stored_hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
}
