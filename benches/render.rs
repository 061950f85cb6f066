//! How long the server takes to draw the largest valid message set as LINE shows it:
//! 5 flex carousels of 12 bubbles each (issue #17; target under 5 ms), and to check the
//! same set against LINE's schema and limits, which the draft page does on every view.
//!
//! `cargo bench --bench render`; criterion prints the median ("time: [low median high]").

use criterion::{Criterion, criterion_group, criterion_main};
#[path = "support/largest_set.rs"]
mod largest_set;

use largest_set::largest_set;

use sendgate::domain::message::Message;
use sendgate::render::{RenderContext, chat};

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
