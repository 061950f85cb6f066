//! The largest valid message set (issue #17): 5 flex carousels of 12 product bubbles each,
//! as the render benchmark draws it and the pages benchmark shows it on a draft page.

use serde_json::{Value, json};

/// A product bubble as marketers send them: hero image, a header label, a body of texts and
/// a price row, two buttons.
fn bubble(i: usize) -> Value {
    json!({"type": "bubble", "size": "kilo",
        "header": {"type": "box", "layout": "vertical", "backgroundColor": "#fff3e0", "contents": [
            {"type": "text", "text": format!("期間限定 No.{i}"), "size": "xs", "color": "#e65100", "weight": "bold"}]},
        "hero": {"type": "image", "url": format!("https://sendgate.example/media/{:064x}/700", i), "size": "full", "aspectRatio": "20:13", "aspectMode": "cover",
            "action": {"type": "uri", "uri": format!("https://shop.example/items/{i}")}},
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
            {"type": "text", "text": format!("春の新作スニーカー {i}"), "weight": "bold", "size": "lg", "wrap": true},
            {"type": "box", "layout": "baseline", "spacing": "xs", "contents": [
                {"type": "icon", "url": "https://sendgate.example/media/0000000000000000000000000000000000000000000000000000000000000001/240", "size": "sm"},
                {"type": "text", "text": "4.5", "size": "sm", "color": "#999999", "flex": 0},
                {"type": "text", "text": "（128件のレビュー）", "size": "xs", "color": "#999999"}]},
            {"type": "box", "layout": "horizontal", "contents": [
                {"type": "text", "text": "¥", "size": "sm", "flex": 0, "gravity": "bottom"},
                {"type": "text", "contents": [{"type": "span", "text": "9,800", "size": "xl", "weight": "bold"}, {"type": "span", "text": " 税込", "size": "xs"}]}]},
            {"type": "separator", "margin": "md"},
            {"type": "text", "text": "軽くて歩きやすい、春の定番。オンライン限定カラーもご用意しています。", "size": "sm", "wrap": true, "maxLines": 3, "color": "#666666"}]},
        "footer": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
            {"type": "button", "style": "primary", "height": "sm", "action": {"type": "uri", "label": "購入する", "uri": format!("https://shop.example/buy/{i}")}},
            {"type": "button", "style": "secondary", "height": "sm", "action": {"type": "postback", "label": "お気に入り", "data": format!("fav={i}"), "displayText": "お気に入りに追加"}}]},
        "styles": {"footer": {"separator": true}}})
}

pub fn largest_set() -> Vec<Value> {
    (0..5)
        .map(|c| {
            json!({"type": "flex", "altText": format!("春の新作 {c}"), "contents": {"type": "carousel",
                "contents": (0..12).map(|b| bubble(c * 12 + b)).collect::<Vec<_>>()}})
        })
        .collect()
}
