//! Japanese for issue #16's first day and smaller things (helper C's block): the dashboard's
//! path to a first send, the sandbox's paging and search, notifications naming who
//! reviewed, the draft history's events, saved segments and created users, the demo.

pub static ENTRIES: &[(&str, &str)] = &[
    // The dashboard's first-day path.
    ("Your first send", "はじめての配信まで"),
    (
        "From an empty account to a first message sent, in this order. This list goes away once the first message is sent, or when you hide it.",
        "はじめてメッセージを配信するまでの手順です。上から順に進めてください。最初の配信が終わるか、非表示にするとこの一覧は消えます。",
    ),
    ("Hide this guide", "この手順を非表示にする"),
    (
        "The first-send guide is hidden. Friends, testers, segments and drafts are all in the menu.",
        "「はじめての配信まで」を非表示にしました。友だち・テスター・セグメント・下書きはメニューから開けます。",
    ),
    ("Done:", "完了:"),
    ("Next:", "次:"),
    (
        "Friends arrive from LINE when they add the account (the webhook set in the LINE Developers Console), or from a CSV file you import.",
        "友だちは、アカウントを友だち追加したときにLINEから届きます（LINE Developersコンソールで設定するWebhook）。CSVファイルのインポートでも追加できます。",
    ),
    (
        "Import friends from a CSV file",
        "CSVファイルから友だちをインポート",
    ),
    ("Your tester phone", "あなたのテスト用スマートフォン"),
    (
        "Test sends go only to the phones of your team. Pair your own LINE account: send the code shown from your phone to the official account.",
        "テスト配信はチームのスマートフォンにだけ届きます。自分のLINEアカウントを登録してください: 表示されるコードを、スマートフォンから公式アカウントへ送ります。",
    ),
    ("A segment", "セグメント"),
    (
        "Who a segment send goes to: tags, attributes and follow date, with a live count. A broadcast to all friends needs none.",
        "セグメント配信の配信先です。タグ・属性・友だち追加日で絞り込み、人数がその場でわかります。全員への一斉配信には不要です。",
    ),
    ("A first draft", "最初の下書き"),
    (
        "Write the message, submit it for review, send it to your tester phone, preview its audience and release it.",
        "メッセージを書いてレビューに出し、テスト用スマートフォンにテスト配信し、配信先を確認して配信します。",
    ),
    ("{n} reviewers", "確認者{n}人"),
    ("Within 24 hours", "24時間以内"),
    ("Step number", "ステップ番号"),
    ("Within 7 days", "7日以内"),
    ("Within 30 days", "30日以内"),
    (
        "People with the reviewer role approve each draft; nobody approves what they wrote.",
        "確認者の役割を持つ人が下書きを承認します。自分が書いた下書きは承認できません。",
    ),
    (
        "People with the reviewer role approve each draft; nobody approves what they wrote. An administrator adds them.",
        "確認者の役割を持つ人が下書きを承認します。自分が書いた下書きは承認できません。確認者は管理者が追加します。",
    ),
    ("Add a user", "ユーザーを追加"),
    // Notifications name the reviewer.
    (
        "{actor} approved “{title}”.",
        "{actor}さんが「{title}」を承認しました。",
    ),
    (
        "{actor} asked for changes on “{title}”.",
        "{actor}さんが「{title}」の修正を依頼しました。",
    ),
    // The sandbox inbox: search by name, pages.
    ("Friend's name", "友だちの名前"),
    ("Newer messages", "新しいメッセージ"),
    ("Older messages", "以前のメッセージ"),
    // The draft's history.
    (
        "submitted revision {n} for review",
        "第{n}版をレビューに出しました",
    ),
    (
        "withdrew revision {n} from review",
        "第{n}版をレビューから取り下げました",
    ),
    (
        "sent revision {n} to the tester phones as a test",
        "第{n}版をテスト用スマートフォンにテスト配信しました",
    ),
    (
        "confirmed the test of revision {n} arrived and looks right",
        "第{n}版のテスト配信が届き、問題ないことを確認しました",
    ),
    (
        "previewed the audience of revision {n}: {count} recipients",
        "第{n}版の配信先を確認しました: {count}人",
    ),
    (
        "acknowledged the audience preview of revision {n}",
        "第{n}版の配信先を確認済みにしました",
    ),
    // Pages met on the first day.
    ("Edit segment", "セグメントを編集"),
];
