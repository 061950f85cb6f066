//! CSV that goes to and comes from spreadsheets (issue #18). Exports are opened in Excel,
//! which runs a cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return
//! before one) as a formula: such cells are prefixed with `'` so they stay text. Imports
//! are refused when a quoted value is never closed, which would otherwise swallow every
//! row after it into one cell.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula when they come first
/// (the full-width forms too: Japanese Excel takes `＝` for `=`).
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// One CSV cell for a spreadsheet: formula starts neutralised, quoted when needed.
pub fn cell(value: &str) -> Cow<'_, str> {
    // Leading spaces do not stop Excel from reading `  =1+1` as a formula.
    let first = value.trim_start_matches(' ').chars().next();
    let neutral: Cow<'_, str> = match first {
        Some(c) if FORMULA_STARTS.contains(&c) => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", neutral.replace('"', "\"\"")))
    } else {
        neutral
    }
}

/// One CSV line (with CRLF, as Excel writes them) of cells.
pub fn line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = cells.into_iter().map(cell).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// The line on which a quoted value opens and never closes, if one does (RFC 4180: a
/// quote opens a value only at its start; inside, `""` is a quote).
pub fn unclosed_quote(text: &str) -> Option<u64> {
    let mut line = 1u64;
    let mut opened_on = None;
    let mut at_field_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (opened_on, c) {
            (None, '"') if at_field_start => {
                opened_on = Some(line);
                at_field_start = false;
            }
            (None, ',') => at_field_start = true,
            (None, '\n') => {
                line += 1;
                at_field_start = true;
            }
            (None, '\r') => at_field_start = true,
            (None, _) => at_field_start = false,
            (Some(_), '"') => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    opened_on = None;
                }
            }
            (Some(_), '\n') => line += 1,
            (Some(_), _) => {}
        }
    }
    opened_on
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_stay_text_and_plain_ones_are_left_alone() {
        for (value, written) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("+81 3 1234", "'+81 3 1234"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "\"'\r=1+1\""),
            ("  =1+1", "'  =1+1"),
            ("＝1+1", "'＝1+1"),
            ("佐藤 花子", "佐藤 花子"),
            ("a,b", "\"a,b\""),
            ("", ""),
            ("1-2", "1-2"),
        ] {
            assert_eq!(cell(value), written, "{value:?}");
        }
        assert_eq!(line(["U1", "=cmd"]), "U1,'=cmd\r\n");
    }

    #[test]
    fn an_unclosed_quote_is_found_on_the_line_it_opens() {
        assert_eq!(
            unclosed_quote("user_id,display_name\nU1,\"Tanaka\nU2,Sato\n"),
            Some(2)
        );
        assert_eq!(unclosed_quote("a,b\n\"x\"\"y\",z\n"), None);
        assert_eq!(unclosed_quote("a,\"multi\nline\",b\nc,d\n"), None);
        assert_eq!(
            unclosed_quote("a,b\"c\nd\n"),
            None,
            "a quote inside a value is literal"
        );
        assert_eq!(unclosed_quote("a\r\nb,\"c\r\n"), Some(2));
        assert_eq!(unclosed_quote(""), None);
    }
}
