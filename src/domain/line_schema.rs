//! LINE's own schema for message objects, and the limits it does not express.
//!
//! Guards the "checked against LINE's own schema while editing" rule of issue #17: a
//! message object is refused at save when the official OpenAPI spec
//! (`line/line-openapi` `messaging-api.yml`, its message, flex and action components)
//! refuses it, before LINE's validate endpoint is ever asked. The spec's components are
//! committed as JSON (`line_schema/messaging-api.schemas.json`, extracted by
//! `scripts/line-schema.py`) and embedded at build time; [`json_schema`] turns them into a
//! JSON Schema (2020-12) whose OpenAPI discriminators are `if`/`then` conditionals, so a
//! `{"type": "box"}` is checked as a `FlexBox` and nothing else.
//!
//! [`limit_problems`] adds what the schema cannot say: a flex bubble's size in bytes
//! (30 KB, a carousel 50 KB), emoji indexes that must sit on a `$`, textV2 placeholders that
//! need a substitution, an imagemap's base size and its tap areas inside it, flex aspect
//! ratios, and size keywords (a typo such as `"size": "lgg"` is refused, pixels pass).
//!
//! Problems are English sentences naming the JSON path (`contents.body.contents[0].layout`);
//! `i18n` translates them by pattern with the path kept.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use super::message::with_commas;

/// The spec's components as committed: `{"source", "schemas", "keywords"}`.
const COMPONENTS: &str = include_str!("line_schema/messaging-api.schemas.json");

/// A flex bubble's JSON may be at most this many bytes (LINE's documented 30 KB).
pub const MAX_BUBBLE_BYTES: usize = 30 * 1024;
/// A flex carousel's JSON may be at most this many bytes (LINE's documented 50 KB).
pub const MAX_CAROUSEL_BYTES: usize = 50 * 1024;
/// An imagemap's `baseSize.width` is always 1040: LINE scales the image from it.
pub const IMAGEMAP_BASE_WIDTH: i64 = 1040;

fn components() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(COMPONENTS).expect("the embedded spec is JSON"))
}

const REF_PREFIX: &str = "#/components/schemas/";

/// The JSON Schema of one LINE message object, made from the spec's components.
///
/// A schema with a `discriminator` becomes `allOf` of its own properties (kept as
/// `{Name}Base`), the discriminating property as required and one of the mapping's keys,
/// and one `if {property: const key} then {$ref: target}` per key. The targets are written
/// `allOf: [$ref Name, ...]` in the spec; there the reference is to `{Name}Base`, or every
/// target would dispatch to itself again.
pub fn json_schema() -> Value {
    let schemas = components()["schemas"]
        .as_object()
        .expect("schemas is an object");
    let discriminated: Vec<&str> = schemas
        .iter()
        .filter(|(_, s)| s.get("discriminator").is_some())
        .map(|(name, _)| name.as_str())
        .collect();
    let mut defs = Map::new();
    for (name, schema) in schemas {
        let mut schema = schema.clone();
        rewrite_refs(&mut schema, &discriminated);
        let Some(Value::Object(discriminator)) = schema
            .as_object_mut()
            .and_then(|o| o.remove("discriminator"))
        else {
            defs.insert(name.clone(), schema);
            continue;
        };
        let property = discriminator["propertyName"]
            .as_str()
            .expect("a discriminator names its property");
        let mapping = discriminator["mapping"]
            .as_object()
            .expect("every discriminator of the spec has a mapping");
        let keys: Vec<&String> = mapping.keys().collect();
        let mut all_of = vec![
            json!({"$ref": format!("#/$defs/{name}Base")}),
            json!({"required": [property], "properties": {property: {"enum": keys}}}),
        ];
        for (key, target) in mapping {
            let target = target.as_str().expect("a mapping target is a $ref");
            let target = target.strip_prefix(REF_PREFIX).unwrap_or(target);
            all_of.push(json!({
                "if": {"properties": {property: {"const": key}}, "required": [property]},
                "then": {"$ref": format!("#/$defs/{target}")},
            }));
        }
        defs.insert(format!("{name}Base"), schema);
        defs.insert(name.clone(), json!({ "allOf": all_of }));
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/$defs/Message",
        "$defs": defs,
    })
}

/// `#/components/schemas/X` to `#/$defs/X`; a subtype's `allOf` reference to its
/// discriminated parent to the parent's base.
fn rewrite_refs(node: &mut Value, discriminated: &[&str]) {
    match node {
        Value::Object(obj) => {
            if let Some(Value::Array(parts)) = obj.get_mut("allOf") {
                for part in parts.iter_mut() {
                    if let Some(Value::String(r)) = part.get_mut("$ref")
                        && let Some(name) = r.strip_prefix(REF_PREFIX)
                        && discriminated.contains(&name)
                    {
                        *r = format!("{REF_PREFIX}{name}Base");
                    }
                }
            }
            for (key, value) in obj.iter_mut() {
                if key == "$ref"
                    && let Value::String(r) = value
                    && let Some(name) = r.strip_prefix(REF_PREFIX)
                {
                    *r = format!("#/$defs/{name}");
                } else if key != "discriminator" {
                    rewrite_refs(value, discriminated);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| rewrite_refs(v, discriminated)),
        _ => {}
    }
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            // URL rules are ours (https, length, hosts); `format: uri` stays an annotation.
            .should_validate_formats(false)
            .build(&json_schema())
            .expect("the LINE schema compiles")
    })
}

/// `contents.body.contents[0]` from a JSON pointer's segments.
fn dotted(location: &jsonschema::paths::Location) -> String {
    let mut out = String::new();
    for segment in location.iter() {
        match segment {
            jsonschema::paths::LocationSegment::Property(p) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&p);
            }
            jsonschema::paths::LocationSegment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn describe_type(kind: &jsonschema::error::TypeKind) -> String {
    use jsonschema::JsonType;
    let one = |t: &JsonType| match t {
        JsonType::String => "a string",
        JsonType::Number => "a number",
        JsonType::Integer => "a whole number",
        JsonType::Boolean => "true or false",
        JsonType::Object => "an object",
        JsonType::Array => "a list",
        JsonType::Null => "null",
    };
    match kind {
        jsonschema::error::TypeKind::Single(t) => one(t).to_string(),
        jsonschema::error::TypeKind::Multiple(set) => {
            set.iter().map(|t| one(&t)).collect::<Vec<_>>().join(" or ")
        }
    }
}

/// Everything LINE's schema refuses in `message`, one sentence each, naming the path.
pub fn schema_problems(message: &Value) -> Vec<String> {
    use jsonschema::error::ValidationErrorKind as K;
    let mut out = Vec::new();
    for error in validator().iter_errors(message) {
        let path = dotted(error.instance_path());
        let at = if path.is_empty() {
            "The message".to_string()
        } else {
            path.clone()
        };
        let text = match error.kind() {
            K::Required { property } => {
                let property = property.as_str().unwrap_or_default();
                format!(
                    "{} is missing; LINE's message format requires it.",
                    join(&path, property)
                )
            }
            K::Enum { options } => {
                let options: Vec<String> = options
                    .as_array()
                    .map(|o| o.iter().map(Value::to_string).collect())
                    .unwrap_or_default();
                format!(
                    "{at} is {}; LINE accepts only {}.",
                    error.instance(),
                    options.join(", ")
                )
            }
            K::Type { kind } => format!(
                "{at} has the wrong type; LINE expects {} here.",
                describe_type(kind)
            ),
            K::MaxLength { limit } => format!(
                "{at} is {} characters long; LINE allows at most {}.",
                with_commas(error.instance().as_str().map_or(0, |s| s.chars().count())),
                with_commas(*limit as usize)
            ),
            K::MinLength { .. } => format!("{at} is empty; LINE needs text here."),
            K::MaxItems { limit } => format!(
                "{at} has {} items; LINE allows at most {limit}.",
                error.instance().as_array().map_or(0, Vec::len)
            ),
            // The conditionals only say which branch failed; the branch's own errors are
            // reported beside this one.
            K::FalseSchema | K::Constant { .. } => continue,
            other => format!("{at} is not accepted by LINE's message format ({other:?})."),
        };
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

/// A flex keyword set from the spec (`FlexTextFontSize`, ...).
fn keywords(name: &str) -> Vec<&'static str> {
    components()["keywords"][name]
        .as_array()
        .map(|k| k.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// What a flex length property takes besides its keywords.
#[derive(Clone, Copy)]
enum Unit {
    Px,
    PxOrPercent,
}

fn is_length(value: &str, unit: Unit) -> bool {
    let number = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_digit() || c == '.')
            && s.parse::<f64>().is_ok()
    };
    if let Some(n) = value.strip_suffix("px") {
        return number(n);
    }
    matches!(unit, Unit::PxOrPercent) && value.strip_suffix('%').is_some_and(number)
}

/// The flex properties whose value is a keyword of the spec or a length.
const KEYWORD_PROPERTIES: &[(&str, &str, &str, Unit)] = &[
    // (component type or "*", property, keyword set, unit)
    ("text", "size", "FlexTextFontSize", Unit::Px),
    ("span", "size", "FlexSpanSize", Unit::Px),
    ("icon", "size", "FlexIconSize", Unit::Px),
    ("image", "size", "FlexImageSize", Unit::PxOrPercent),
    ("box", "spacing", "FlexBoxSpacing", Unit::Px),
    ("box", "cornerRadius", "FlexBoxCornerRadius", Unit::Px),
    ("box", "borderWidth", "FlexBoxBorderWidth", Unit::Px),
    ("box", "paddingAll", "FlexBoxPadding", Unit::PxOrPercent),
    ("box", "paddingTop", "FlexBoxPadding", Unit::PxOrPercent),
    ("box", "paddingBottom", "FlexBoxPadding", Unit::PxOrPercent),
    ("box", "paddingStart", "FlexBoxPadding", Unit::PxOrPercent),
    ("box", "paddingEnd", "FlexBoxPadding", Unit::PxOrPercent),
    ("*", "margin", "FlexMargin", Unit::Px),
    ("*", "offsetTop", "FlexOffset", Unit::PxOrPercent),
    ("*", "offsetBottom", "FlexOffset", Unit::PxOrPercent),
    ("*", "offsetStart", "FlexOffset", Unit::PxOrPercent),
    ("*", "offsetEnd", "FlexOffset", Unit::PxOrPercent),
];

/// The limits of LINE's documentation that its schema does not express.
pub fn limit_problems(message: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match message.get("type").and_then(Value::as_str) {
        Some("text") => emoji_indexes(message, &mut out),
        Some("textV2") => substitutions(message, &mut out),
        Some("imagemap") => imagemap_geometry(message, &mut out),
        Some("flex") => {
            if let Some(contents) = message.get("contents") {
                flex_sizes(contents, &mut out);
                walk_flex(contents, "contents", &mut out);
            }
        }
        _ => {}
    }
    out
}

fn emoji_indexes(message: &Value, out: &mut Vec<String>) {
    let Some(text) = message.get("text").and_then(Value::as_str) else {
        return;
    };
    let units: Vec<u16> = text.encode_utf16().collect();
    let Some(emojis) = message.get("emojis").and_then(Value::as_array) else {
        return;
    };
    for (i, emoji) in emojis.iter().enumerate() {
        let Some(index) = emoji.get("index").and_then(Value::as_u64) else {
            continue;
        };
        if units.get(index as usize) != Some(&(b'$' as u16)) {
            out.push(format!(
                "emojis[{i}].index is {index}, but character {index} of the text is not a $; \
                 LINE puts each emoji where a $ stands (counted from 0 in UTF-16 units)."
            ));
        }
    }
}

/// The `{name}` placeholders of a textV2 text, in order; `{{` and `}}` are literal braces.
pub fn text_v2_placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => i += 2,
            b'}' if bytes.get(i + 1) == Some(&b'}') => i += 2,
            b'{' => match text[i + 1..].find('}') {
                Some(end) => {
                    let name = &text[i + 1..i + 1 + end];
                    if !names.contains(&name) {
                        names.push(name);
                    }
                    i += end + 2;
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
    names
}

fn substitutions(message: &Value, out: &mut Vec<String>) {
    let Some(text) = message.get("text").and_then(Value::as_str) else {
        return;
    };
    let given = message.get("substitution").and_then(Value::as_object);
    for name in text_v2_placeholders(text) {
        if !given.is_some_and(|g| g.contains_key(name)) {
            out.push(format!(
                "The text uses the placeholder “{name}”, but substitution has no entry for it; \
                 add what it becomes (a mention or an emoji), or double the braces to show them."
            ));
        }
    }
}

fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

fn imagemap_geometry(message: &Value, out: &mut Vec<String>) {
    let Some(base) = message.get("baseSize") else {
        return;
    };
    let (Some(width), Some(height)) = (int(base, "width"), int(base, "height")) else {
        return;
    };
    if width != IMAGEMAP_BASE_WIDTH {
        out.push(format!(
            "baseSize.width is {width}; an imagemap's base width is always 1040 \
             (LINE scales the image and its tap areas from it)."
        ));
    }
    if height <= 0 {
        out.push("baseSize.height must be the image's height at 1040 pixels wide, above 0.".into());
        return;
    }
    let areas = message
        .get("actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, a)| {
            a.get("area")
                .map(|area| (format!("actions[{i}].area"), area))
        })
        .chain(
            message
                .get("video")
                .and_then(|v| v.get("area"))
                .map(|area| ("video.area".to_string(), area)),
        );
    for (path, area) in areas {
        let (Some(x), Some(y), Some(w), Some(h)) = (
            int(area, "x"),
            int(area, "y"),
            int(area, "width"),
            int(area, "height"),
        ) else {
            continue;
        };
        if x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height {
            out.push(format!(
                "{path} ({x}, {y}, {w} × {h}) is not inside the {width} × {height} image; \
                 a tap area must lie within the base size."
            ));
        }
    }
}

fn flex_sizes(contents: &Value, out: &mut Vec<String>) {
    let bytes = |v: &Value| serde_json::to_string(v).map_or(0, |s| s.len());
    match contents.get("type").and_then(Value::as_str) {
        Some("bubble") => {
            let n = bytes(contents);
            if n > MAX_BUBBLE_BYTES {
                out.push(format!(
                    "contents is {} bytes of JSON; LINE allows a bubble at most {} bytes (30 KB).",
                    with_commas(n),
                    with_commas(MAX_BUBBLE_BYTES)
                ));
            }
        }
        Some("carousel") => {
            let n = bytes(contents);
            if n > MAX_CAROUSEL_BYTES {
                out.push(format!(
                    "contents is {} bytes of JSON; LINE allows a carousel at most {} bytes (50 KB).",
                    with_commas(n),
                    with_commas(MAX_CAROUSEL_BYTES)
                ));
            }
            for (i, bubble) in contents
                .get("contents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let n = bytes(bubble);
                if n > MAX_BUBBLE_BYTES {
                    out.push(format!(
                        "contents.contents[{i}] is {} bytes of JSON; LINE allows a bubble at most {} bytes (30 KB).",
                        with_commas(n),
                        with_commas(MAX_BUBBLE_BYTES)
                    ));
                }
            }
        }
        _ => {}
    }
}

/// `{width}:{height}`, each 1 to 100,000, the height at most three times the width.
fn aspect_ratio_ok(value: &str) -> bool {
    let Some((w, h)) = value.split_once(':') else {
        return false;
    };
    let parse = |s: &str| {
        s.parse::<f64>()
            .ok()
            .filter(|n| (1.0..=100_000.0).contains(n))
    };
    match (parse(w), parse(h)) {
        (Some(w), Some(h)) => h <= 3.0 * w,
        _ => false,
    }
}

fn walk_flex(node: &Value, path: &str, out: &mut Vec<String>) {
    match node {
        Value::Object(obj) => {
            let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
            for &(component, property, set, unit) in KEYWORD_PROPERTIES {
                if (component != "*" && component != kind)
                    || !matches!(
                        kind,
                        "box" | "text" | "span" | "icon" | "image" | "button" | "separator"
                    )
                {
                    continue;
                }
                if let Some(Value::String(v)) = obj.get(property) {
                    let allowed = keywords(set);
                    if !allowed.contains(&v.as_str()) && !is_length(v, unit) {
                        let units = match unit {
                            Unit::Px => "a size in pixels such as 12px",
                            Unit::PxOrPercent => "a size in pixels or percent such as 12px or 5%",
                        };
                        out.push(format!(
                            "{path}.{property} is {v:?}; LINE accepts {} or {units}.",
                            allowed.join(", ")
                        ));
                    }
                }
            }
            if matches!(kind, "image" | "icon" | "video")
                && let Some(Value::String(ratio)) = obj.get("aspectRatio")
                && !aspect_ratio_ok(ratio)
            {
                out.push(format!(
                    "{path}.aspectRatio is {ratio:?}; write width:height such as 20:13, each \
                     1 to 100000, the height at most three times the width."
                ));
            }
            for (key, value) in obj {
                if matches!(value, Value::Object(_) | Value::Array(_)) && key != "action" {
                    walk_flex(value, &join(path, key), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_flex(item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bubble(body_contents: Value) -> Value {
        json!({"type": "flex", "altText": "a", "contents": {"type": "bubble",
            "body": {"type": "box", "layout": "vertical", "contents": body_contents}}})
    }

    #[test]
    fn the_spec_becomes_a_schema_whose_discriminators_are_conditionals() {
        let schema = json_schema();
        let message = &schema["$defs"]["Message"]["allOf"];
        assert_eq!(message[0]["$ref"], "#/$defs/MessageBase");
        assert!(
            message[1]["properties"]["type"]["enum"]
                .as_array()
                .unwrap()
                .contains(&json!("flex"))
        );
        assert!(
            message
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["if"]["properties"]["type"]["const"] == "flex"
                    && c["then"]["$ref"] == "#/$defs/FlexMessage")
        );
        // A subtype extends the parent's base, not the dispatching parent.
        assert_eq!(
            schema["$defs"]["FlexBox"]["allOf"][0]["$ref"],
            "#/$defs/FlexComponentBase"
        );
        assert!(!schema.to_string().contains("#/components/schemas/"));
        assert!(!schema.to_string().contains("discriminator"));
    }

    #[test]
    fn valid_messages_of_every_type_pass_the_schema() {
        for m in [
            json!({"type": "text", "text": "hi $", "emojis": [{"index": 3, "productId": "p", "emojiId": "001"}]}),
            json!({"type": "textV2", "text": "Hi {u}", "substitution": {"u": {"type": "mention", "mentionee": {"type": "all"}}}}),
            json!({"type": "sticker", "packageId": "446", "stickerId": "1988"}),
            json!({"type": "location", "title": "t", "address": "a", "latitude": 35.6, "longitude": 139.7}),
            json!({"type": "imagemap", "baseUrl": "https://a.example/im", "altText": "a", "baseSize": {"width": 1040, "height": 1040},
                "actions": [{"type": "uri", "linkUri": "https://a.example", "area": {"x": 0, "y": 0, "width": 520, "height": 1040}}]}),
            json!({"type": "template", "altText": "a", "template": {"type": "confirm", "text": "ok?", "actions": [
                {"type": "message", "label": "Yes", "text": "yes"}, {"type": "postback", "label": "No", "data": "no"}]}}),
            bubble(
                json!([{"type": "text", "text": "hello", "size": "xl"}, {"type": "button", "action": {"type": "uri", "label": "Go", "uri": "https://a.example"}}]),
            ),
            json!({"type": "coupon", "couponId": "c1"}),
        ] {
            assert!(
                schema_problems(&m).is_empty(),
                "{m}: {:?}",
                schema_problems(&m)
            );
            assert!(
                limit_problems(&m).is_empty(),
                "{m}: {:?}",
                limit_problems(&m)
            );
        }
    }

    #[test]
    fn a_box_without_layout_is_refused_with_its_json_path() {
        let m = bubble(json!([{"type": "box", "contents": []}]));
        assert_eq!(
            schema_problems(&m),
            ["contents.body.contents[0].layout is missing; LINE's message format requires it."]
        );
    }

    #[test]
    fn an_unknown_enum_value_names_what_line_accepts() {
        let m = bubble(json!([{"type": "box", "layout": "diagonal", "contents": []}]));
        assert_eq!(
            schema_problems(&m),
            [
                "contents.body.contents[0].layout is \"diagonal\"; LINE accepts only \"horizontal\", \"vertical\", \"baseline\"."
            ]
        );
        let m = bubble(json!([{"type": "sparkle"}]));
        assert!(
            schema_problems(&m)[0]
                .starts_with("contents.body.contents[0].type is \"sparkle\"; LINE accepts only"),
            "{:?}",
            schema_problems(&m)
        );
    }

    #[test]
    fn wrong_types_and_missing_action_fields_are_refused() {
        let m = bubble(json!([{"type": "text", "text": "a", "wrap": "yes"}]));
        assert_eq!(
            schema_problems(&m),
            ["contents.body.contents[0].wrap has the wrong type; LINE expects true or false here."]
        );
        let m =
            bubble(json!([{"type": "button", "action": {"type": "clipboard", "label": "Copy"}}]));
        assert_eq!(
            schema_problems(&m),
            [
                "contents.body.contents[0].action.clipboardText is missing; LINE's message format requires it."
            ]
        );
        let m = json!({"type": "text", "text": "a", "quickReply": {"items": [{"type": "action", "action": {"label": "x"}}]}});
        assert_eq!(
            schema_problems(&m),
            ["quickReply.items[0].action.type is missing; LINE's message format requires it."]
        );
    }

    #[test]
    fn a_bubble_over_30_kb_and_a_carousel_over_50_kb_are_refused() {
        let big = "あ".repeat(11_000);
        let m = bubble(json!([{"type": "text", "text": big}]));
        let p = limit_problems(&m);
        assert!(p[0].starts_with("contents is 33,"), "{p:?}");
        let b = json!({"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": "あ".repeat(6_000)}]}});
        let m = json!({"type": "flex", "altText": "a", "contents": {"type": "carousel", "contents": vec![b; 3]}});
        let p = limit_problems(&m);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("a carousel at most 51,200 bytes"), "{p:?}");
    }

    #[test]
    fn an_emoji_index_must_point_at_a_dollar_sign_in_utf16_units() {
        let emoji = |i: u64| json!({"index": i, "productId": "p", "emojiId": "001"});
        let ok = json!({"type": "text", "text": "😀$", "emojis": [emoji(2)]});
        assert!(limit_problems(&ok).is_empty());
        let bad = json!({"type": "text", "text": "😀$", "emojis": [emoji(1)]});
        assert!(limit_problems(&bad)[0].starts_with("emojis[0].index is 1,"));
    }

    #[test]
    fn every_text_v2_placeholder_needs_a_substitution() {
        assert_eq!(text_v2_placeholders("{a} {{lit}} {b} {a}"), ["a", "b"]);
        let m = json!({"type": "textV2", "text": "Hi {user1} {emoji1}", "substitution": {"user1": {"type": "mention", "mentionee": {"type": "all"}}}});
        let p = limit_problems(&m);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("The text uses the placeholder “emoji1”"),
            "{p:?}"
        );
    }

    #[test]
    fn an_imagemap_is_1040_wide_and_its_areas_lie_inside() {
        let m = json!({"type": "imagemap", "baseUrl": "https://a.example/im", "altText": "a", "baseSize": {"width": 1000, "height": 500},
            "actions": [{"type": "message", "text": "t", "area": {"x": 600, "y": 0, "width": 520, "height": 500}}]});
        let p = limit_problems(&m);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("baseSize.width is 1000"));
        assert!(p[1].starts_with("actions[0].area (600, 0, 520 × 500) is not inside"));
    }

    #[test]
    fn size_keywords_and_aspect_ratios_are_checked_and_pixels_pass() {
        let m = bubble(json!([
            {"type": "text", "text": "a", "size": "lgg"},
            {"type": "text", "text": "b", "size": "22px", "margin": "md"},
            {"type": "image", "url": "https://a.example/i.png", "size": "50%", "aspectRatio": "1:4"},
            {"type": "box", "layout": "vertical", "contents": [], "paddingAll": "5%", "spacing": "huge"}
        ]));
        let p = limit_problems(&m);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p[0].starts_with("contents.body.contents[0].size is \"lgg\"; LINE accepts xxs, xs"),
            "{p:?}"
        );
        assert!(
            p[1].starts_with("contents.body.contents[2].aspectRatio is \"1:4\""),
            "{p:?}"
        );
        assert!(
            p[2].starts_with("contents.body.contents[3].spacing is \"huge\""),
            "{p:?}"
        );
    }
}
