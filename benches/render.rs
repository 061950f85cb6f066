//! How long the server takes to draw the largest valid message set as LINE shows it:
//! 5 flex carousels of 12 bubbles each (issue #17; target under 5 ms), and to check the
//! same set against LINE's schema and limits, which the draft page does on every view.
//!
//! `cargo bench --bench render`; criterion prints the median ("time: [low median high]").

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

use sendgate::domain::message::Message;
use sendgate::render::{RenderContext, chat};

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

fn largest_set() -> Vec<Value> {
    (0..5)
        .map(|c| {
            json!({"type": "flex", "altText": format!("春の新作 {c}"), "contents": {"type": "carousel",
                "contents": (0..12).map(|b| bubble(c * 12 + b)).collect::<Vec<_>>()}})
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let set = largest_set();
    let messages: Vec<Message> = set
        .iter()
        .map(|m| Message::from_line_json(m.clone()).expect("the benchmark's set is valid"))
        .collect();
    let ctx = RenderContext {
        account_name: "サンプル商店".into(),
        public_url: "https://sendgate.example".into(),
    };
    let rendered = chat(&set, &ctx);
    eprintln!(
        "5 carousels x 12 bubbles: {} KB of JSON, {} KB of HTML, {} KB of CSS",
        set.iter().map(|m| m.to_string().len()).sum::<usize>() / 1024,
        rendered.html.len() / 1024,
        rendered.css.len() / 1024
    );
    c.bench_function("render 5 carousels x 12 bubbles", |b| {
        b.iter(|| chat(std::hint::black_box(&set), &ctx))
    });
    c.bench_function("check 5 carousels x 12 bubbles (schema and limits)", |b| {
        b.iter(|| messages.iter().map(|m| m.problems().len()).sum::<usize>())
    });
}

criterion_group!(render, benches);
criterion_main!(render);
