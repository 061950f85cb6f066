//! Japanese for LINE's statistics of a sent message (issue #19), in LINE Official Account
//! Manager's words (配信数, 開封数, 開封率, クリック数): the statistics card of the release
//! and incident pages, the incident timeline, corrections, replies and unit names.

pub static ENTRIES: &[(&str, &str)] = &[
    ("Statistics from LINE", "LINEの統計情報"),
    (
        "Read from LINE at {time}.",
        "{time}にLINEから取得しました。",
    ),
    ("Delivered", "配信数"),
    ("Sent to (handed to LINE)", "送信数（LINEに渡した人数）"),
    ("Opened by", "開封数"),
    ("open rate {rate}", "開封率 {rate}"),
    ("Clicked a link", "クリック数"),
    ("click rate {rate}", "クリック率 {rate}"),
    ("Per message", "吹き出しごと"),
    ("Times shown", "表示回数"),
    ("Per link", "URLごと"),
    ("Link", "URL"),
    ("Clicked by", "クリックした人数"),
    ("Clicks", "クリック回数"),
    (
        "No figures from LINE yet. They are read 1 hour, 6 hours, 24 hours, 3 days and 7 days after sending.",
        "LINEの統計情報はまだありません。配信の1時間後、6時間後、24時間後、3日後、7日後に取得します。",
    ),
    (
        "The last reading, at {time}, failed: {problem}",
        "{time}の取得に失敗しました: {problem}",
    ),
    (
        "LINE's statistics lag behind: figures take time to appear and keep changing for days after the send. LINE hides figures under 20 people (shown as —), and opens in LINE for PC are not counted.",
        "LINEの統計情報は遅れて反映され、配信後も数日間は数値が変わります。20人未満の数値はLINEが表示しません（—と表示）。PC版LINEでの開封は集計されません。",
    ),
    (
        "Counted under the unit name {unit}.",
        "ユニット名 {unit} で集計しています。",
    ),
    (
        "Fresh figures were asked of LINE at {time}; they appear here within a minute.",
        "{time}にLINEへ最新の数値を依頼しました。1分ほどでここに表示されます。",
    ),
    ("Read fresh figures from LINE", "LINEから最新の数値を取得"),
    ("Readings so far ({n})", "これまでの取得（{n}回）"),
    ("Read at", "取得日時"),
    ("read {time}", "{time}取得"),
    (
        "Opened by {n} (LINE statistics)",
        "{n}人が開封（LINEの統計情報）",
    ),
    (
        "Link {url} clicked by {n} (LINE statistics)",
        "{url} を{n}人がクリック（LINEの統計情報）",
    ),
    (
        "{n} of the {total} recipients had opened the wrong message by {time} (LINE statistics).",
        "{time}時点で、配信対象{total}人のうち{n}人が誤ったメッセージを開封していました（LINEの統計情報）。",
    ),
    (
        "By {time} LINE showed no number of people who opened it: fewer than 20 had, or LINE had not counted them yet.",
        "{time}時点で、LINEは開封数を表示していません（開封が20人未満か、まだ集計されていません）。",
    ),
    (
        "LINE's statistics appear here once the message was sent.",
        "LINEの統計情報は配信後にここに表示されます。",
    ),
    (
        "LINE has no statistics of this release: this month's 1,000 unit names (LINE's limit) were used up when it was sent, so its messages went without one.",
        "この配信にはLINEの統計情報がありません。配信時に今月のユニット名（LINEの上限1,000件）を使い切っていたため、ユニット名なしで送信しました。",
    ),
    (
        "LINE has no statistics of this release: its messages were sent without a unit name.",
        "この配信にはLINEの統計情報がありません。ユニット名なしで送信されました。",
    ),
    (
        "LINE has statistics of a message once it was sent.",
        "LINEの統計情報は配信後に取得できます。",
    ),
    (
        "LINE has no statistics of this release: its messages went without a unit name.",
        "この配信にはLINEの統計情報がありません。ユニット名なしで送信されました。",
    ),
    (
        "Fresh figures were asked of LINE; they appear here within a minute.",
        "LINEへ最新の数値を依頼しました。1分ほどで表示されます。",
    ),
    (
        "Fresh figures were already asked of LINE; they appear here within a minute.",
        "LINEへ最新の数値をすでに依頼しています。1分ほどで表示されます。",
    ),
    // Audit actions.
    ("release.unit_named", "統計のユニット名を設定"),
    ("release.unit_limit_reached", "ユニット名の月間上限に到達"),
    ("insights.refresh_requested", "統計情報の再取得を依頼"),
    // The sandbox outbox: a reply to a friend's own action (free, not counted).
    ("reply", "応答メッセージ"),
];
