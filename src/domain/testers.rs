//! Testers are staff phones, never customers (issue #15). A tester is a friend of the
//! account linked to the sendgate user whose phone it is: the person pairs it themselves by
//! sending a one-time code from LINE, or an admin links it. This module owns the code's
//! shape (what the person types on a phone), reading it back out of a chat message, and
//! who among the testers may receive a test send now.

use rand::Rng;

/// How long a pairing code works, in minutes.
pub const CODE_MINUTES: i64 = 15;

/// Letters and digits that cannot be mistaken for each other when typed on a phone
/// (Crockford's base 32: no I, L, O or U).
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_CHARS: usize = 8;
const PREFIX: &str = "SG";

/// A pairing code as the person reads and types it: `SG-7KQ2-M9XP`. 40 random bits: a
/// customer guessing codes in chat messages has no practical chance within its 15 minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingCode(String);

impl PairingCode {
    pub fn generate(rng: &mut impl Rng) -> Self {
        let chars: String = (0..CODE_CHARS)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        PairingCode(chars)
    }

    /// The code as shown: `SG-7KQ2-M9XP`.
    pub fn display(&self) -> String {
        format!("{PREFIX}-{}-{}", &self.0[..4], &self.0[4..])
    }

    /// The normalized code, which is what is hashed and stored.
    pub fn canonical(&self) -> &str {
        &self.0
    }

    /// The code inside a chat message, as people type it on a phone: any case, with or
    /// without hyphens or spaces, full-width characters, other words around it. `None`
    /// when the message carries no code (an ordinary customer message).
    pub fn find_in(text: &str) -> Option<PairingCode> {
        let normalized: String = text
            .chars()
            .map(|c| match c {
                // Full-width ASCII (ＳＧ－１２…) as a Japanese keyboard may type it.
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
                c => c,
            })
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let compact: String = normalized
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}' | 'ー' | '‐' | '−'))
            .collect();
        let at = compact.find(PREFIX)?;
        let code: String = compact[at + PREFIX.len()..]
            .chars()
            .take(CODE_CHARS)
            .collect();
        (code.len() == CODE_CHARS && code.bytes().all(|b| ALPHABET.contains(&b)))
            .then_some(PairingCode(code))
    }
}

/// One tester as the test-send gate needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TesterCandidate {
    pub user_id: String,
    pub blocked: bool,
    /// The sendgate user whose phone it is, and whether they may still sign in. `None` for
    /// a tester marked before testers were staff phones: it receives nothing until an admin
    /// says whose phone it is.
    pub owner_active: Option<bool>,
}

impl TesterCandidate {
    /// A test send may reach this phone now: it belongs to an active staff member and
    /// follows the account.
    pub fn is_eligible(&self) -> bool {
        !self.blocked && self.owner_active == Some(true)
    }
}

/// The testers a test send goes to, in the given order.
pub fn eligible(candidates: &[TesterCandidate]) -> Vec<&TesterCandidate> {
    candidates.iter().filter(|c| c.is_eligible()).collect()
}

/// Why a pairing or an admin's addition is refused, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairingRefusal {
    #[error("This code has expired or was already used; show a new one on the Testers page.")]
    Expired,
    #[error("This LINE account is already the test phone of {0}.")]
    OtherOwner(String),
    #[error(
        "There are already {0} testers, as many as the policy allows; an admin must remove one first."
    )]
    TooMany(i64),
    #[error(
        "This LINE account has blocked the official account, so a test send could not reach it."
    )]
    Blocked,
}

/// Whether one more phone may become a tester of `owner`: not someone else's, and within
/// the policy's number (a phone already paired to the same person changes nothing).
pub fn may_pair(
    current_owner: Option<(i64, &str)>,
    owner: i64,
    blocked: bool,
    testers_now: i64,
    max_testers: i64,
) -> Result<(), PairingRefusal> {
    match current_owner {
        Some((id, _)) if id == owner => return Ok(()),
        Some((_, name)) => return Err(PairingRefusal::OtherOwner(name.to_string())),
        None => {}
    }
    if blocked {
        return Err(PairingRefusal::Blocked);
    }
    if testers_now >= max_testers {
        return Err(PairingRefusal::TooMany(max_testers));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_code_reads_back_however_it_was_typed_on_a_phone() {
        let code = PairingCode::generate(&mut rand::rngs::StdRng::seed_from_u64(7));
        let shown = code.display();
        assert_eq!(shown.len(), "SG-XXXX-XXXX".len());
        assert_eq!(PairingCode::find_in(&shown), Some(code.clone()));
        assert_eq!(
            PairingCode::find_in(&shown.to_lowercase()),
            Some(code.clone())
        );
        assert_eq!(
            PairingCode::find_in(&format!("こんにちは {} です", shown.replace('-', " "))),
            Some(code.clone())
        );
        let full_width: String = shown
            .chars()
            .map(|c| char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap())
            .collect();
        assert_eq!(PairingCode::find_in(&full_width), Some(code));
    }

    #[test]
    fn ordinary_messages_carry_no_code() {
        for text in ["", "SG", "SG-12", "こんにちは", "SGIIIIIIII", "sg-0000-000"] {
            assert_eq!(PairingCode::find_in(text), None, "{text}");
        }
    }

    #[test]
    fn codes_differ_and_use_the_unambiguous_alphabet() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let a = PairingCode::generate(&mut rng);
        let b = PairingCode::generate(&mut rng);
        assert_ne!(a, b);
        assert!(
            a.canonical()
                .bytes()
                .all(|c| !matches!(c, b'I' | b'L' | b'O' | b'U'))
        );
    }

    #[test]
    fn only_phones_of_active_staff_that_follow_receive_test_sends() {
        let c = |blocked, owner_active| TesterCandidate {
            user_id: "U".into(),
            blocked,
            owner_active,
        };
        let all = [
            c(false, Some(true)),
            c(true, Some(true)),
            c(false, Some(false)),
            c(false, None),
        ];
        assert_eq!(eligible(&all), [&all[0]]);
    }

    #[test]
    fn pairing_respects_the_owner_and_the_policys_number() {
        assert_eq!(may_pair(None, 1, false, 0, 10), Ok(()));
        assert_eq!(may_pair(Some((1, "mika")), 1, false, 10, 10), Ok(()));
        assert_eq!(
            may_pair(Some((2, "rei")), 1, false, 0, 10),
            Err(PairingRefusal::OtherOwner("rei".into()))
        );
        assert_eq!(
            may_pair(None, 1, false, 10, 10),
            Err(PairingRefusal::TooMany(10))
        );
        assert_eq!(may_pair(None, 1, true, 0, 10), Err(PairingRefusal::Blocked));
    }
}
