//! Two-factor sign-in (issue #18): RFC 6238 codes from an authenticator app (6 digits,
//! 30-second steps, one step of clock skew either way) and one-time recovery codes. What a
//! typed code is, whether it is right at a given time, and how recovery codes look and are
//! stored. Pure: randomness and time are passed in.

use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

/// The name authenticator apps show above the code.
pub const ISSUER: &str = "sendgate";
/// Recovery codes handed out at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Bytes of randomness in a TOTP secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// A TOTP secret, stored and shown as base32.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(String);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> Self {
        Self(Secret::from(bytes).to_base32())
    }

    /// A stored secret; `None` when it is not base32 of a long enough secret.
    pub fn parse(base32: &str) -> Option<Self> {
        let secret = Secret::try_from_base32(base32.trim()).ok()?;
        (secret.as_bytes().len() >= 16).then(|| Self(base32.trim().to_string()))
    }

    pub fn as_base32(&self) -> &str {
        &self.0
    }

    /// The base32 in groups of four, for typing it into an app by hand.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn totp(&self, account: &str) -> Totp {
        let secret = Secret::try_from_base32(&self.0).expect("checked when parsed");
        Builder::new()
            .with_secret(secret)
            .with_issuer(Some(ISSUER))
            .with_account_name(account.replace(':', ""))
            .build()
            .expect("a 160-bit secret and a name without colons make a valid TOTP")
    }

    /// The `otpauth://` URL the QR code carries.
    pub fn otpauth_url(&self, account: &str) -> String {
        self.totp(account)
            .to_url()
            .expect("the account name is set")
    }

    /// The 30-second step `code` is right for at `unix_seconds` (with one step of skew),
    /// if it is.
    pub fn check(&self, code: &str, unix_seconds: i64) -> Option<i64> {
        let time = u64::try_from(unix_seconds).ok()?;
        self.totp("check")
            .check(code, time)
            .and_then(|step| i64::try_from(step).ok())
    }

    /// The code an app shows at `unix_seconds` (tests and the demo use it).
    pub fn code_at(&self, unix_seconds: i64) -> String {
        self.totp("code")
            .generate(u64::try_from(unix_seconds).unwrap_or(0))
            .to_string()
    }
}

/// What someone typed as a second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    /// Six digits from the app.
    Code(String),
    /// A recovery code, normalised (lower case, no separators).
    Recovery(String),
    /// Neither.
    Unreadable,
}

/// Reads a typed code: spaces and dashes are ignored, letters may be in any case.
pub fn read_second_factor(typed: &str) -> SecondFactor {
    if typed.len() > 64 {
        return SecondFactor::Unreadable;
    }
    let compact: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
        SecondFactor::Code(compact)
    } else if compact.len() == 16 && compact.bytes().all(|b| BASE32.contains(&b)) {
        SecondFactor::Recovery(compact)
    } else {
        SecondFactor::Unreadable
    }
}

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A recovery code from 10 random bytes: 16 base32 letters (80 bits) in four groups,
/// `abcd-efgh-ijkl-mnop`.
pub fn recovery_code(bytes: [u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    let letters: Vec<u8> = (0..16)
        .rev()
        .map(|i| BASE32[((bits >> (i * 5)) & 31) as usize])
        .collect();
    letters
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// What is stored of a recovery code: the SHA-256 of its normalised form. 80 random bits
/// cannot be found again from the hash, so a slow hash is not needed.
pub fn recovery_hash(normalised: &str) -> String {
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

/// What the database holds instead of a TOTP secret: the secret encrypted and authenticated
/// (XChaCha20-Poly1305) under a key derived from the audit key, which lives outside the
/// database, and bound to its user. A copy of the database alone (a backup, a stolen file)
/// then does not give anyone the codes of the people who turned two-factor sign-in on, and
/// a sealed secret moved to another user's row does not open. Stored as
/// `v1:` + base64(24-byte nonce ‖ ciphertext ‖ tag).
pub struct SecretSeal(chacha20poly1305::XChaCha20Poly1305);

impl std::fmt::Debug for SecretSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretSeal(..)")
    }
}

const SEALED_PREFIX: &str = "v1:";
const NONCE_BYTES: usize = 24;

/// What a stored secret turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    /// Sealed, and opened with this key for this user.
    Sealed(TotpSecret),
    /// Written before secrets were sealed: plain base32, to be sealed.
    Plain(TotpSecret),
    /// Neither: sealed under another key or for another user, altered, or not a secret.
    Unreadable,
}

impl SecretSeal {
    pub fn new(audit_key: &super::audit::AuditKey) -> Self {
        use chacha20poly1305::KeyInit;
        let key = audit_key.derive("two-factor secrets v1");
        Self(chacha20poly1305::XChaCha20Poly1305::new(&key.into()))
    }

    fn aad(user_id: i64) -> [u8; 8] {
        user_id.to_be_bytes()
    }

    /// Seals `secret` for `user_id` with a fresh random nonce.
    pub fn seal(&self, user_id: i64, secret: &TotpSecret) -> String {
        use base64::Engine;
        use chacha20poly1305::aead::{Aead, Payload};
        use rand::RngCore;
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .0
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: secret.as_base32().as_bytes(),
                    aad: &Self::aad(user_id),
                },
            )
            .expect("encrypting a few bytes in memory cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)
        )
    }

    /// Reads what the database holds for `user_id`.
    pub fn open(&self, user_id: i64, stored: &str) -> Stored {
        use base64::Engine;
        use chacha20poly1305::aead::{Aead, Payload};
        let Some(sealed) = stored.strip_prefix(SEALED_PREFIX) else {
            return TotpSecret::parse(stored).map_or(Stored::Unreadable, Stored::Plain);
        };
        let Ok(bytes) = base64::engine::general_purpose::STANDARD_NO_PAD.decode(sealed) else {
            return Stored::Unreadable;
        };
        if bytes.len() <= NONCE_BYTES {
            return Stored::Unreadable;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().expect("split at its length");
        self.0
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: ciphertext,
                    aad: &Self::aad(user_id),
                },
            )
            .ok()
            .and_then(|plain| String::from_utf8(plain).ok())
            .and_then(|base32| TotpSecret::parse(&base32))
            .map_or(Stored::Unreadable, Stored::Sealed)
    }

    /// The secret for `user_id`, only when it was sealed with this key for this user. A
    /// plain secret is not taken: someone who can write to the database but not read the key
    /// could otherwise put in a secret of their own. Plain secrets from before sealing are
    /// sealed when the server starts (`services::two_factor::seal_plain_secrets`).
    pub fn secret(&self, user_id: i64, stored: &str) -> Option<TotpSecret> {
        match self.open(user_id, stored) {
            Stored::Sealed(s) => Some(s),
            Stored::Plain(_) | Stored::Unreadable => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> TotpSecret {
        TotpSecret::from_bytes([42; SECRET_BYTES])
    }

    #[test]
    fn a_code_is_right_in_its_step_and_one_step_either_side() {
        let s = secret();
        let t = 1_795_000_000;
        let code = s.code_at(t);
        assert_eq!(code.len(), 6);
        let step = t / 30;
        assert_eq!(s.check(&code, t), Some(step));
        assert_eq!(s.check(&code, t + 30), Some(step));
        assert_eq!(s.check(&code, t - 30), Some(step));
        assert_eq!(s.check(&code, t + 90), None);
        assert_eq!(s.check("000000x", t), None);
        assert_eq!(s.check(&code, -5), None);
    }

    #[test]
    fn the_rfc_6238_test_vector_holds() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890", T = 59 s: 94287082
        // (8 digits); its last 6 digits are what a 6-digit app shows.
        let s = TotpSecret::from_bytes(*b"12345678901234567890");
        assert_eq!(s.code_at(59), "287082");
    }

    #[test]
    fn secrets_round_trip_through_base32_and_short_ones_are_refused() {
        let s = secret();
        assert_eq!(TotpSecret::parse(s.as_base32()), Some(s.clone()));
        assert_eq!(s.as_base32().len(), 32);
        assert_eq!(s.grouped().split(' ').count(), 8);
        assert_eq!(TotpSecret::parse("AAAA"), None);
        assert_eq!(TotpSecret::parse("not base32!"), None);
        let url = s.otpauth_url("hanako");
        assert!(url.starts_with("otpauth://totp/sendgate:hanako?"), "{url}");
        assert!(url.contains(&format!("secret={}", s.as_base32())));
        assert!(url.contains("issuer=sendgate"));
    }

    #[test]
    fn typed_codes_are_read_as_app_codes_or_recovery_codes() {
        assert_eq!(
            read_second_factor(" 123 456 "),
            SecondFactor::Code("123456".into())
        );
        let code = recovery_code([0xA5; 10]);
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        let SecondFactor::Recovery(n) = read_second_factor(&code.to_uppercase()) else {
            panic!("not read as a recovery code");
        };
        assert_eq!(n, code.replace('-', ""));
        assert_eq!(recovery_hash(&n).len(), 64);
        for bad in ["12345", "1234567", "abc", "", &"a".repeat(100)] {
            assert_eq!(read_second_factor(bad), SecondFactor::Unreadable, "{bad:?}");
        }
    }

    #[test]
    fn recovery_codes_differ_with_their_bytes() {
        assert_ne!(recovery_code([1; 10]), recovery_code([2; 10]));
        assert_eq!(recovery_code([0; 10]), "aaaa-aaaa-aaaa-aaaa");
    }

    fn seal_with(byte: u8) -> SecretSeal {
        SecretSeal::new(&crate::domain::audit::AuditKey::from_bytes([byte; 32]))
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_user_under_its_key() {
        let secret = TotpSecret::from_bytes([7; SECRET_BYTES]);
        let seal = seal_with(1);
        let stored = seal.seal(42, &secret);
        assert!(stored.starts_with("v1:"), "{stored}");
        assert!(
            !stored.contains(secret.as_base32()),
            "the database does not hold the secret"
        );
        assert_eq!(seal.open(42, &stored), Stored::Sealed(secret.clone()));
        assert_eq!(
            seal.open(43, &stored),
            Stored::Unreadable,
            "another user's row"
        );
        assert_eq!(
            seal_with(2).open(42, &stored),
            Stored::Unreadable,
            "another key"
        );
        assert_ne!(
            seal.seal(42, &secret),
            stored,
            "each seal has a nonce of its own"
        );
    }

    #[test]
    fn an_altered_or_cut_sealed_secret_does_not_open() {
        let seal = seal_with(1);
        let stored = seal.seal(1, &TotpSecret::from_bytes([9; SECRET_BYTES]));
        let mut chars: Vec<char> = stored.chars().collect();
        let last = chars.len() - 3;
        chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
        let altered: String = chars.into_iter().collect();
        assert_eq!(seal.open(1, &altered), Stored::Unreadable);
        assert_eq!(seal.open(1, &stored[..20]), Stored::Unreadable);
        assert_eq!(seal.open(1, "v1:"), Stored::Unreadable);
        assert_eq!(seal.open(1, "v1:!!!"), Stored::Unreadable);
    }

    #[test]
    fn a_secret_from_before_sealing_reads_as_plain_and_does_not_sign_in() {
        let secret = TotpSecret::from_bytes([3; SECRET_BYTES]);
        let seal = seal_with(1);
        assert_eq!(
            seal.open(5, secret.as_base32()),
            Stored::Plain(secret.clone())
        );
        assert_eq!(
            seal.secret(5, secret.as_base32()),
            None,
            "a plain secret is only sealed, never used to sign in"
        );
        assert_eq!(seal.open(5, "not base32 at all"), Stored::Unreadable);
    }
}
