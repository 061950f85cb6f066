//! Japanese for incidents, corrections and notifications: English text (the key) and its
//! Japanese.

pub static ENTRIES: &[(&str, &str)] = &[
    ("Incidents", "インシデント"),
    ("Notifications", "通知"),
    (
        "The text a correction starts from is in the apology templates.",
        "訂正配信の初期文面はお詫びテンプレートで設定します。",
    ),
    (
        "Required approvals for a correction",
        "訂正配信に必要な承認数",
    ),
    (
        "(1 to 5; a correction after an incident goes through the same gate, faster; its author never counts)",
        "（1〜5。インシデント後の訂正配信も同じゲートを通りますが、より早く進められます。作成者の承認は数えません）",
    ),
    ("Corrections to send now", "今すぐ送るべき訂正配信"),
    (
        "the wrong message went out {time} ago",
        "誤配信から{time}経過",
    ),
    ("incident #{id}", "インシデント #{id}"),
];
