//! Japanese for step scenarios (ステップ配信): English text (the key) and its Japanese.

pub static ENTRIES: &[(&str, &str)] = &[
    ("Scenarios", "ステップ配信"),
    ("Held step messages", "保留中のステップメッセージ"),
    (
        "(messages a step held while its edited revision waited for re-approval)",
        "（編集したリビジョンの再承認を待つ間にステップが保留したメッセージ）",
    ),
    (
        "Send after re-activation if still within 24 hours of their due time",
        "再有効化後、予定時刻から24時間以内なら送信する",
    ),
    ("Skip them", "送信しない"),
];
