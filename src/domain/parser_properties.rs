//! Property tests (issue #18): the parsers that read what outsiders send never panic,
//! whatever they are given. Each takes arbitrary bytes or text, and arbitrary JSON shaped
//! like what it expects (real field names, wrong types, deep nesting, huge numbers), and
//! must return a value or an error. They run with the normal `cargo test`.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::Value;

use super::audience::{
    CsvColumns, SegmentInput, SegmentRules, decode_csv, parse_webhook, verify_signature,
};
use super::message::{Message, MessageInput, Messages};
use super::revision::RevisionContent;
use super::spreadsheet;
use crate::i18n::Lang;

/// Keys the parsers look for, so arbitrary JSON often gets past the first check.
const KEYS: &[&str] = &[
    "type",
    "text",
    "events",
    "source",
    "userId",
    "timestamp",
    "webhookEventId",
    "deliveryContext",
    "isRedelivery",
    "follow",
    "isUnblocked",
    "mode",
    "replyToken",
    "originalContentUrl",
    "previewImageUrl",
    "packageId",
    "stickerId",
    "altText",
    "contents",
    "quickReply",
    "items",
    "action",
    "emojis",
    "duration",
    "tags_any",
    "tags_all",
    "tags_none",
    "attributes",
    "key",
    "op",
    "value",
    "followed",
    "date",
    "days",
    "kind",
    "title",
    "messages",
    "notification_disabled",
    "segment",
    "send_at",
    "id",
    "rules",
    "name",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => ".{0,12}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(
            &[
                "text",
                "image",
                "sticker",
                "follow",
                "unfollow",
                "message",
                "user",
                "group",
                "equals",
                "not_equals",
                "exists",
                "before",
                "after",
                "within_days",
                "broadcast",
                "segment",
                "step",
                "U0123456789abcdef0123456789abcdef",
                "2026-11-20",
                "https://x",
            ][..]
        )
        .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Text made mostly of the characters CSV cares about.
fn csv_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(&[
                ",", "\"", "\n", "\r\n", "\r", "U", "0", "a", "f", "=", ";", "|", "attr:", "user_id",
                "display_name", "tags", "followed_at", "2026-04-01", "\u{feff}", "佐藤", " ",
            ][..])
            .prop_map(str::to_string),
            1 => ".{0,6}",
        ],
        0..80,
    )
    .prop_map(|parts| parts.concat())
}

/// What the import's first pass does with a file, without a database.
fn read_csv(bytes: Vec<u8>) {
    let Ok(text) = decode_csv(bytes) else { return };
    let _ = spreadsheet::unclosed_quote(&text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let Some(Ok(header)) = records.next() else {
        return;
    };
    let header: Vec<&str> = header.iter().collect();
    let Ok(columns) = CsvColumns::from_header(&header) else {
        return;
    };
    for record in records.flatten() {
        let cells: Vec<&str> = record.iter().collect();
        let _ = columns.parse_row(&cells, chrono_tz::Asia::Tokyo, 1_700_000_000);
        for cell in &cells {
            let _ = spreadsheet::cell(cell);
        }
    }
}

fn segment_input() -> impl Strategy<Value = SegmentInput> {
    (
        ".{0,30}",
        csv_text(),
        csv_text(),
        csv_text(),
        prop::collection::vec(".{0,8}", 0..6),
        prop::collection::vec(
            prop_oneof![
                Just("equals".to_string()),
                Just("not_equals".to_string()),
                Just("exists".to_string()),
                ".{0,8}"
            ],
            0..6,
        ),
        prop::collection::vec(".{0,8}", 0..6),
        prop_oneof![
            Just(String::new()),
            Just("before".to_string()),
            Just("after".to_string()),
            Just("within_days".to_string()),
            ".{0,8}"
        ],
        prop_oneof![".{0,12}", any::<i64>().prop_map(|n| n.to_string())],
    )
        .prop_map(
            |(name, any, all, none, attr_key, attr_op, attr_value, followed_op, followed_value)| {
                SegmentInput {
                    name,
                    tags_any: any,
                    tags_all: all,
                    tags_none: none,
                    attr_key,
                    attr_op,
                    attr_value,
                    followed_op,
                    followed_value,
                }
            },
        )
}

/// Everything a page does with saved rules.
fn use_rules(rules: &SegmentRules) {
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 1, 0, 0).unwrap();
    let _ = rules.follow_window(now, chrono_tz::Asia::Tokyo);
    let _ = rules.describe_in(Lang::Ja);
    let _ = rules.describe();
    let _ = rules.condition_count();
    let form = SegmentInput::from_rules("s", rules);
    let _ = form.parse_rules();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_csv_import_reads_any_bytes_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        read_csv(bytes);
    }

    #[test]
    fn the_csv_import_reads_any_csv_like_text_without_panicking(text in csv_text()) {
        read_csv(text.into_bytes());
    }

    #[test]
    fn the_webhook_body_parser_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_webhook(&bytes);
        let _ = verify_signature("secret", &bytes, &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn the_webhook_body_parser_takes_any_json(events in prop::collection::vec(json(), 0..6), top in json()) {
        let body = serde_json::json!({ "destination": "U0", "events": events });
        let _ = parse_webhook(body.to_string().as_bytes());
        let _ = parse_webhook(top.to_string().as_bytes());
    }

    #[test]
    fn message_json_parses_or_is_refused_whatever_it_holds(v in json(), text in ".{0,200}") {
        let _ = Message::parse_line_json(&v.to_string());
        let _ = Message::parse_line_json(&text);
        let _ = serde_json::from_value::<Message>(v.clone());
        let _ = serde_json::from_value::<Messages>(v.clone());
        let _ = serde_json::from_value::<RevisionContent>(v);
        let input = MessageInput { kind: "raw".into(), raw_json: text, ..Default::default() };
        let _ = Messages::parse(&[input]);
    }

    #[test]
    fn message_objects_of_each_type_with_arbitrary_fields_never_panic(
        kind in prop::sample::select(&["text", "image", "sticker", "video", "audio", "location", "imagemap", "template", "flex", "x"][..]),
        fields in prop::collection::vec((key(), json()), 0..8),
    ) {
        let mut object: serde_json::Map<String, Value> = fields.into_iter().collect();
        object.insert("type".into(), Value::from(kind));
        let json = Value::Object(object).to_string();
        if let Ok(m) = Message::parse_line_json(&json) {
            let _ = m.problems();
        }
    }

    #[test]
    fn segment_forms_parse_or_are_refused(input in segment_input()) {
        if let Ok(rules) = input.parse_rules() {
            use_rules(&rules);
        }
        let _ = input.parse_name();
    }

    #[test]
    fn saved_segment_rules_of_any_shape_never_break_a_page(v in json(), days in any::<i64>()) {
        if let Ok(rules) = serde_json::from_value::<SegmentRules>(v) {
            use_rules(&rules);
        }
        // A hand-edited row with an absurd number of days.
        let stored = serde_json::json!({ "followed": { "op": "within_days", "days": days } });
        let rules: SegmentRules = serde_json::from_value(stored).unwrap();
        use_rules(&rules);
    }
}
