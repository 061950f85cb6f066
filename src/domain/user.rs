//! What a user name, a display name and a password must look like. Parsed once at the edge
//! (form, CLI); everything past that holds the parsed types.

use super::FieldError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// 3 to 32 characters of `a-z 0-9 . _ -`, lower-cased; the name people type to sign in.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim().to_lowercase();
        let err = |m: &str| Err(FieldError::new("username", m));
        if name.chars().count() < 3 {
            return err("A user name needs at least 3 characters.");
        }
        if name.chars().count() > 32 {
            return err("A user name can have at most 32 characters.");
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return err("Use only letters a-z, digits and . _ - in a user name.");
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// 1 to 64 characters after trimming; Japanese names are welcome.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new("display_name", "Enter a display name."));
        }
        if name.chars().count() > 64 {
            return Err(FieldError::new(
                "display_name",
                "A display name can have at most 64 characters.",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(FieldError::new(
                "display_name",
                "A display name cannot contain control characters.",
            ));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password. Never logged, never shown; only its argon2id hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

impl NewPassword {
    pub const MIN_CHARS: usize = 12;

    /// At least 12 characters (length is what makes a password strong), at most 1,024 so a
    /// huge input cannot tie up the hasher.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(FieldError::new(
                "password",
                format!(
                    "A password needs at least {} characters (it has {n}).",
                    Self::MIN_CHARS
                ),
            ));
        }
        if n > 1024 {
            return Err(FieldError::new(
                "password",
                "A password can have at most 1,024 characters.",
            ));
        }
        if raw.trim().is_empty() {
            return Err(FieldError::new(
                "password",
                "A password cannot be only spaces.",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_name_is_trimmed_and_lower_cased() {
        assert_eq!(Username::parse("  Hanako.S ").unwrap().as_str(), "hanako.s");
    }

    #[test]
    fn a_user_name_with_spaces_or_kana_is_refused() {
        assert!(Username::parse("hanako sato").is_err());
        assert!(Username::parse("はなこ").is_err());
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn a_japanese_display_name_is_accepted() {
        assert_eq!(
            DisplayName::parse(" 佐藤 花子 ").unwrap().as_str(),
            "佐藤 花子"
        );
        assert!(DisplayName::parse("   ").is_err());
    }

    #[test]
    fn a_short_password_says_how_long_it_is() {
        let e = NewPassword::parse("short").unwrap_err();
        assert!(e.message.contains("it has 5"), "{}", e.message);
        assert!(NewPassword::parse("correct horse battery").is_ok());
        assert!(NewPassword::parse(&" ".repeat(12)).is_err());
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let p = NewPassword::parse("correct horse battery").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
