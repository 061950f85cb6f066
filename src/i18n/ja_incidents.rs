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
        "（1〜5。インシデント後の訂正配信も同じ配信前チェックを通りますが、より早く進められます。作成者の承認は数えません）",
    ),
    ("Corrections to send now", "今すぐ送るべき訂正配信"),
    (
        "the wrong message went out {time} ago",
        "誤配信から{time}経過",
    ),
    ("incident #{id}", "インシデント #{id}"),
    // Durations (incident timeline, correction banners).
    ("{m} min", "{m}分"),
    ("{h} h {m} min", "{h}時間{m}分"),
    ("{d} d {h} h", "{d}日{h}時間"),
    ("not yet", "未送信"),
    ("none yet", "まだありません"),
    // Severities and incident states.
    ("low", "低"),
    ("medium", "中"),
    ("high", "高"),
    ("critical", "重大"),
    ("open", "対応中"),
    ("closed", "完了"),
    (
        "Low: a typo, nobody is misled",
        "低: 誤字など。誤解を招くものではない",
    ),
    (
        "Medium: misleading, few people affected",
        "中: 誤解を招く内容。影響を受けた人は少ない",
    ),
    (
        "High: a wrong price, date or link",
        "高: 価格・日付・リンクの誤り",
    ),
    (
        "Critical: personal data, legal or safety issue",
        "重大: 個人情報、法令または安全に関わる問題",
    ),
    // Reporting a mistake.
    (
        "Report a mistake in this message",
        "このメッセージの誤配信を報告",
    ),
    ("Report a mistake", "誤配信の報告"),
    ("Report a mistake in “{title}”", "「{title}」の誤配信を報告"),
    (
        "Sent {time}. LINE cannot take it back: record what went wrong, tell the team, then send a correction to the same recipients.",
        "送信日時: {time}。LINEでは送信を取り消せません。何が誤っていたかを記録してチームに知らせ、同じ受信者に訂正配信を送ってください。",
    ),
    ("What was wrong", "誤りの内容"),
    ("Severity", "重大度"),
    ("Who noticed", "気づいた人"),
    ("When it was noticed", "気づいた日時"),
    (
        "(account time; empty means now)",
        "（アカウントのタイムゾーン。空欄の場合は現在時刻）",
    ),
    (
        "Open the incident and tell the team",
        "インシデントを登録してチームに知らせる",
    ),
    (
        "Incident opened; the team was told. Next: make the correction draft.",
        "インシデントを登録し、チームに通知しました。次に訂正配信の下書きを作成してください。",
    ),
    (
        "Say what was wrong, for example “the price said 2,000 yen instead of 20,000 yen”.",
        "誤りの内容を入力してください（例:「20,000円のところ2,000円と記載していた」）。",
    ),
    (
        "Keep it under {max} characters.",
        "{max}文字以内で入力してください。",
    ),
    ("Choose a severity.", "重大度を選んでください。"),
    (
        "Say who noticed it (a colleague, a customer by phone, ...).",
        "誰が気づいたかを入力してください（社内のメンバー、電話でのお客様からのご指摘など）。",
    ),
    (
        "The time it was noticed is in the future.",
        "気づいた日時が未来になっています。",
    ),
    (
        "The time it was noticed is before the message was sent.",
        "気づいた日時がメッセージの送信より前になっています。",
    ),
    (
        "Enter when it was noticed as a date and a time, for example 2026-11-20 10:20, or leave it empty for now.",
        "気づいた日時を日付と時刻で入力してください（例: 2026-11-20 10:20）。現在時刻にする場合は空欄のままにしてください。",
    ),
    (
        "This release is {state}; a mistake can be reported once it was sent.",
        "この配信は現在「{state}」です。誤配信の報告は送信後に行えます。",
    ),
    // The incident list.
    (
        "Messages that went out wrong, what was done about them, and what will prevent it next time. Report one from the release page of a sent message.",
        "誤って配信されたメッセージ、その対応、再発防止策の一覧です。報告は送信済みメッセージの配信ページから行います。",
    ),
    ("Open ({n})", "対応中（{n}件）"),
    ("Closed ({n})", "完了（{n}件）"),
    ("No open incidents.", "対応中のインシデントはありません。"),
    ("No closed incidents.", "完了したインシデントはありません。"),
    ("Message", "メッセージ"),
    ("Noticed", "発覚"),
    ("Correction", "訂正配信"),
    ("Prevention", "再発防止策"),
    // One incident.
    ("Incident #{id}", "インシデント #{id}"),
    ("Incident #{id}:", "インシデント #{id}:"),
    ("Noticed by", "気づいた人"),
    ("Reported by", "報告者"),
    ("Release", "配信"),
    ("Timeline", "経過"),
    ("({time} after sending)", "（送信から{time}後）"),
    ("Correction sent", "訂正配信の送信"),
    (
        "({time} after noticing; recipients had the wrong message for {total})",
        "（発覚から{time}後。受信者は{total}の間、誤ったメッセージを受け取ったままでした）",
    ),
    ("Closed", "完了"),
    ("by {name}", "（{name}）"),
    ("What went out", "配信された内容"),
    ("Who received it", "受信した人"),
    (
        "A broadcast correction goes to all friends, as LINE picks them now: {n} friends today, {difference} compared with the original send.",
        "一斉配信の訂正は、LINEが現時点で選ぶ全友だちに届きます。現在の友だち数は{n}人で、元の配信と比べて{difference}人です。",
    ),
    (
        "A correction goes to exactly this snapshot, nobody else.",
        "訂正配信は確定した配信対象リストの人だけに届き、それ以外の人には届きません。",
    ),
    (
        "Download user ids and names (CSV)",
        "ユーザーIDと表示名をダウンロード（CSV）",
    ),
    (
        "for one-to-one follow-up.",
        "個別のフォローにご利用ください。",
    ),
    (
        "For a broadcast LINE picked the recipients, so the list is the friends following now.",
        "一斉配信の受信者はLINEが選んだため、この一覧は現在フォロー中の友だちです。",
    ),
    ("Correction draft", "訂正配信の下書き"),
    ("Apology text in", "お詫び文の言語"),
    ("Make the correction draft", "訂正配信の下書きを作成"),
    ("No correction draft.", "訂正配信の下書きはありません。"),
    ("What will prevent it next time", "再発防止策"),
    ("Closing note", "再発防止策のメモ"),
    ("Close the incident", "インシデントを完了にする"),
    ("Open.", "対応中です。"),
    (
        "Correction draft ready, addressed to exactly the original recipients. Fix the text, submit it, test-send it.",
        "訂正配信の下書きを作成しました。宛先は元の配信の受信者と同じです。文面を修正し、レビューに出して、テスト送信してください。",
    ),
    ("Incident closed.", "インシデントを完了にしました。"),
    (
        "Write what will prevent this next time before closing.",
        "完了にする前に、再発防止策を記入してください。",
    ),
    (
        "This incident is already closed.",
        "このインシデントはすでに完了しています。",
    ),
    (
        "This incident already has its correction draft (#{id}).",
        "このインシデントには訂正配信の下書き（#{id}）がすでにあります。",
    ),
    (
        "This incident already has its correction draft.",
        "このインシデントには訂正配信の下書きがすでにあります。",
    ),
    (
        "This incident is closed; no correction can be made from it.",
        "このインシデントは完了しているため、訂正配信を作成できません。",
    ),
    (
        "Step messages are corrected in their scenario; a correction draft is made for broadcasts and segment sends.",
        "ステップメッセージの訂正はシナリオ側で行います。訂正配信の下書きを作成できるのは一斉配信とセグメント配信です。",
    ),
    // Correction drafts.
    ("Correction of", "訂正対象:"),
    (
        "the wrong message went out {time} ago. It goes to exactly the same {n} recipients; its audience cannot be changed.",
        "誤配信から{time}が経過しています。元の配信と同じ{n}人の受信者だけに届き、配信先は変更できません。",
    ),
    ("This corrects", "訂正対象:"),
    (
        "it goes to exactly the recipients of the original message, and nobody else. The audience cannot be changed.",
        "元のメッセージの受信者だけに届き、それ以外の人には届きません。配信先は変更できません。",
    ),
    (
        "This is the correction of incident #{id}: it must reach exactly the recipients of release #{release} ({kind}), and nobody else. Its audience cannot be changed.",
        "これはインシデント #{id} の訂正配信です。配信 #{release}（{kind}）の受信者だけに届ける必要があり、それ以外の人には送れません。配信先は変更できません。",
    ),
    ("segment message", "セグメント配信"),
    ("step message", "ステップメッセージ"),
    // Apology templates.
    ("Apology templates", "お詫びテンプレート"),
    (
        "The text a correction draft starts from.",
        "訂正配信の下書きの初期文面です。",
    ),
    ("Placeholders:", "差し込み項目:"),
    (
        "The marketer edits the draft before it is reviewed.",
        "レビューの前に、マーケティング担当者が下書きを編集します。",
    ),
    ("Japanese", "日本語"),
    ("English", "英語"),
    ("Save templates", "テンプレートを保存"),
    (
        "Apology templates saved.",
        "お詫びテンプレートを保存しました。",
    ),
    (
        "The apology text cannot be empty.",
        "お詫び文を入力してください。",
    ),
    (
        "Unknown placeholder {placeholder}; use {title}, {sent_at} or {what_was_wrong}.",
        "{placeholder} は使えない差し込み項目です。{title}、{sent_at}、{what_was_wrong} のいずれかを使ってください。",
    ),
    // Notifications.
    ("Mark all read", "すべて既読にする"),
    (
        "Nothing yet. You are told here when a draft needs your review, a verdict was given on your draft, a test send waits for confirmation, a release is scheduled, sent or failed, and when an incident opens.",
        "通知はまだありません。下書きのレビュー依頼、あなたの下書きへのレビュー結果、確認待ちのテスト送信、配信の予約・送信完了・失敗、インシデントの登録があると、ここでお知らせします。",
    ),
    (
        "All notifications marked read.",
        "すべての通知を既読にしました。",
    ),
    (
        "“{title}” was submitted and waits for your review.",
        "「{title}」がレビューに出され、あなたのレビューを待っています。",
    ),
    (
        "“{title}” was changed in review (revision {revision}); earlier approvals no longer count.",
        "レビュー中の「{title}」が変更されました（第{revision}版）。これまでの承認は無効になりました。",
    ),
    ("“{title}” was approved.", "「{title}」が承認されました。"),
    (
        "Changes were requested on “{title}”.",
        "「{title}」に修正依頼がありました。",
    ),
    (
        "A test send of “{title}” reached the testers: confirm it arrived and looks right.",
        "「{title}」のテスト送信がテスターに届きました。受信できたこと、表示に問題がないことを確認してください。",
    ),
    (
        "“{title}” was released.",
        "「{title}」の配信が確定しました。",
    ),
    ("“{title}” was sent.", "「{title}」を送信しました。"),
    (
        "Sending “{title}” failed: some batches were refused.",
        "「{title}」の送信に失敗しました。一部の配信対象への送信がLINEに拒否されました。",
    ),
    (
        "Incident ({severity}): a mistake was reported in “{title}”.",
        "インシデント（重大度: {severity}）: 「{title}」の誤配信が報告されました。",
    ),
    // Notification settings (admin).
    (
        "Everyone sees their notifications in the app. Here you can also post them to a chat tool through its incoming webhook",
        "通知は各自がアプリ内で確認できます。ここでは、チャットツールの Incoming Webhook への投稿も設定できます",
    ),
    ("Slack-compatible", "Slack 互換"),
    (
        "Posting happens in the background with retries: a failing webhook never blocks a review or a release.",
        "投稿はバックグラウンドで再試行しながら行われるため、Webhook が失敗してもレビューや配信が止まることはありません。",
    ),
    ("Deliveries", "投稿状況"),
    ("Queued", "送信待ち"),
    ("Posted", "投稿済み"),
    ("Given up", "断念"),
    ("Last success", "最終成功"),
    ("Last error", "最新のエラー"),
    ("never", "なし"),
    ("Webhook URL", "Webhook URL"),
    (
        "(empty turns chat messages off)",
        "（空欄にするとチャットへの投稿を停止します）",
    ),
    ("Post these events", "投稿するイベント"),
    ("Save", "保存"),
    (
        "A draft was submitted for review",
        "下書きがレビューに出されたとき",
    ),
    (
        "A draft in review was changed",
        "レビュー中の下書きが変更されたとき",
    ),
    ("A revision was approved", "版が承認されたとき"),
    ("Changes were requested", "修正依頼があったとき"),
    (
        "A test send awaits confirmation",
        "テスト送信が確認待ちになったとき",
    ),
    ("A release was scheduled", "配信が予約されたとき"),
    ("A release was sent", "配信が送信されたとき"),
    ("A release failed", "配信が失敗したとき"),
    ("An incident was opened", "インシデントが登録されたとき"),
    ("Notification settings saved.", "通知設定を保存しました。"),
    (
        "Enter the incoming-webhook URL your chat tool gave you (https://...), or leave it empty to turn it off.",
        "チャットツールで発行された Incoming Webhook の URL（https://...）を入力してください。投稿しない場合は空欄にしてください。",
    ),
];
