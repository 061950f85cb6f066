//! Japanese for the undo window on the dashboard and the editor's live preview (issue #16).

pub static ENTRIES: &[(&str, &str)] = &[
    ("Releases you can still cancel", "まだ取り消せる配信"),
    (
        "The preview follows what you type; nothing is saved until you save.",
        "プレビューは入力に合わせて更新されます。保存するまで何も保存されません。",
    ),
];
