//! Japanese for issue #16: the messages code writes (save flash, refusals, field errors),
//! the words of LINE Official Account Manager for what the pages show, and the audit log's
//! field names.

pub(super) const ENTRIES: &[(&str, &str)] = &[
    (
        "Saved as revision {n}. Approvals, test sends and previews of earlier revisions no longer count.",
        "第{n}版として保存しました。以前の版の承認・テスト配信・配信対象の確認は数えられなくなりました。",
    ),
    (
        "{n} of {total} recipients reached",
        "送信済み {n}人 / 全{total}人",
    ),
    (
        "Recipient list code (frozen snapshot)",
        "配信対象リスト（確定）の確認コード",
    ),
    ("LINE Official Account", "LINE公式アカウント"),
    (
        "Type {phrase} to confirm.",
        "確認のため「{phrase}」と入力してください。",
    ),
    ("[image] {url}", "[画像] {url}"),
    ("[preview] {url}", "[プレビュー画像] {url}"),
    (
        "[sticker] package {package}, sticker {sticker}",
        "[スタンプ] パッケージ{package}、スタンプ{sticker}",
    ),
    ("segment {name} (#{id})", "セグメント「{name}」（#{id}）"),
    ("all friends", "友だち全員"),
    ("silent (no push notification)", "通知なし"),
    ("with push notification", "通知あり"),
    ("not scheduled", "予約なし（承認後に配信）"),
    // The release policy form's errors.
    (
        "{label} must be a whole number from {min} to {max}.",
        "{label}は{min}〜{max}の整数で入力してください。",
    ),
    ("The large-audience threshold", "大人数配信とみなす人数"),
    ("The allowed drift", "友だち数の変化の許容範囲"),
    (
        "The time before asking again",
        "本人確認をやり直すまでの時間",
    ),
    ("The number of testers", "テスト配信の受信者の数"),
    ("The undo window", "配信取り消し猶予"),
    (
        "The preview age limit must be a number of hours from 0.25 to 168.",
        "配信対象の確認の有効期間は0.25〜168時間で入力してください。",
    ),
    (
        "Enter the start of quiet hours as HH:MM, for example 22:00.",
        "配信停止時間帯の開始を「22:00」のように時:分で入力してください。",
    ),
    (
        "Enter the end of quiet hours as HH:MM, for example 08:00.",
        "配信停止時間帯の終了を「08:00」のように時:分で入力してください。",
    ),
    (
        "Enter an IANA time zone such as Asia/Tokyo.",
        "タイムゾーンを「Asia/Tokyo」のようなIANAの名前で入力してください。",
    ),
    (
        "{line} is not a host name; write one host per line, such as shop.example.co.jp.",
        "{line}はドメイン名ではありません。1行に1つずつ、shop.example.co.jpのように書いてください。",
    ),
    (
        "Choose what happens to held step messages.",
        "保留したステップ配信のメッセージをどうするか選んでください。",
    ),
    // The audit log's field names.
    ("Activation", "有効化"),
    ("At", "日時"),
    ("Attempts", "試行回数"),
    (
        "Approvals required for a correction",
        "訂正配信に必要な承認数",
    ),
    ("Days", "日数"),
    ("Due at", "予定日時"),
    ("Error", "エラー"),
    ("Expires at", "有効期限"),
    ("From draft", "元の下書き"),
    ("From revision", "元の版"),
    (
        "Greet friends who add the account again",
        "再度友だち追加した人にもあいさつメッセージを送る",
    ),
    (
        "When the greeting cannot be sent as a reply",
        "応答メッセージで送れなかったときの扱い",
    ),
    (
        "Reply deadline of the greeting (seconds)",
        "あいさつメッセージの応答期限（秒）",
    ),
    (
        "Messages held while a scenario waits",
        "シナリオの待機中に保留したメッセージの扱い",
    ),
    ("Left out", "入りきらなかったもの"),
    ("Allowed link domains", "許可するリンク先のドメイン"),
    (
        "Largest friend count change since the preview (%)",
        "配信対象の確認後に許される友だち数の変化（%）",
    ),
    ("Most testers", "テスト配信の受信者の上限"),
    ("Not attempted", "未送信"),
    ("Owner", "持ち主"),
    ("Pairing", "スマートフォンの登録"),
    (
        "Oldest preview allowed (hours)",
        "配信対象の確認の有効期間（時間）",
    ),
    ("Quiet hours end", "配信停止時間帯の終了"),
    ("Quiet hours start", "配信停止時間帯の開始"),
    (
        "Confirm it is them again after (minutes)",
        "本人確認をやり直すまでの時間（分）",
    ),
    ("Reasons", "理由"),
    ("Refusal", "配信できなかった理由"),
    (
        "Wait before sending starts (seconds)",
        "配信取り消し猶予（秒）",
    ),
    (
        "Sign out after inactivity (hours)",
        "操作がないときに自動でログアウトするまで（時間）",
    ),
    ("Time zone", "タイムゾーン"),
    ("Total", "合計"),
    (
        "Two-step sign-in required for admins",
        "管理者は2段階認証が必須",
    ),
    (
        "Two-step sign-in required for senders",
        "配信できる人は2段階認証が必須",
    ),
    ("LINE user ID", "LINEユーザーID"),
    // Refusals and field errors written by the code.
    (
        "This test send was of revision {a}, but the draft is now at revision {b}; send a new test.",
        "このテスト配信は第{a}版のものですが、下書きは現在第{b}版です。新しくテスト配信してください。",
    ),
    (
        "A review note can have at most {n} characters.",
        "コメントは{n}文字までです。",
    ),
    (
        "A step message is not released on its own: it is sent by its scenario once the scenario is activated; {at}.",
        "ステップ配信のメッセージは単独では配信しません。シナリオを有効化すると、シナリオから送られます。{at}。",
    ),
    (
        "{time} is in quiet hours ({start} to {end}); choose another time of day.",
        "{time}は配信停止時間帯（{start}〜{end}）です。別の時刻を選んでください。",
    ),
    (
        "This preview is of revision {a}, but the draft is now at revision {b}; take a new preview.",
        "この配信対象の確認は第{a}版のものですが、下書きは現在第{b}版です。もう一度配信対象を確認してください。",
    ),
    (
        "This draft is {state} and read-only; {refusal}.",
        "この下書きは{state}のため変更できません。{refusal}。",
    ),
    (
        "This draft is {state} and can no longer be changed. To send something similar, duplicate it into a new draft.",
        "この下書きは{state}のため、もう変更できません。似た内容を送るには、複製して新しい下書きにしてください。",
    ),
    (
        "Revision {n} was saved while you were editing revision {base}, so your changes were not saved. Your text is still in the form: compare it with the current revision, then save again.",
        "第{base}版を編集している間に第{n}版が保存されたため、あなたの変更は保存されていません。入力した内容はフォームに残っています。最新の版と見比べてから、もう一度保存してください。",
    ),
    (
        "{raw} does not exist or is ambiguous in {zone}; choose another time.",
        "{raw}は{zone}では存在しないか、どちらの時刻か決められません。別の時刻を選んでください。",
    ),
    (
        "This draft is {state} and can no longer be edited. To send something similar, duplicate it into a new draft.",
        "この下書きは{state}のため、もう編集できません。似た内容を送るには、複製して新しい下書きにしてください。",
    ),
    (
        "Choose what kind of message this is: text, image, sticker or other (LINE JSON).",
        "メッセージの種類を選んでください: テキスト、画像、スタンプ、その他（LINEのJSON）。",
    ),
    (
        "Paste a LINE message object as JSON, such as {\"type\":\"flex\", ...}.",
        "LINEのメッセージをJSONで貼り付けてください。例: {\"type\":\"flex\", ...}",
    ),
    (
        "{label} must start with https://; {why}.",
        "{label}はhttps://で始まる必要があります。{why}。",
    ),
    ("Enter the {label}.", "{label}を入力してください。"),
    (
        "A LINE message object is a JSON object ({\"type\": ...}); this is {what}.",
        "LINEのメッセージはJSONのオブジェクト（{\"type\": ...}）です。これは{what}です。",
    ),
    (
        "A message needs 1 to {max} message objects; this one has {n}.",
        "吹き出しは1〜{max}個にしてください。このメッセージには{n}個あります。",
    ),
    (
        "Unknown attribute comparison {other}.",
        "不明な属性の比べ方です: {other}",
    ),
    (
        "Enter the follow date as YYYY-MM-DD.",
        "友だち追加日を「2026-01-31」のように年-月-日で入力してください。",
    ),
    (
        "Enter a number of days from 1 to 3650.",
        "日数は1〜3,650で入力してください。",
    ),
    (
        "Unknown follow-date rule {other}.",
        "不明な友だち追加日の条件です: {other}",
    ),
    (
        "A segment name can have at most {n} characters.",
        "セグメント名は{n}文字までです。",
    ),
    (
        "A broadcast goes to all friends, so it cannot have a segment; make it a segment message to send to a segment.",
        "一斉配信は友だち全員に届くため、セグメントを指定できません。セグメントに送るには、種類をセグメント配信にしてください。",
    ),
    ("The reply deadline", "あいさつメッセージの応答期限"),
    // The audit log's other words.
    ("Edit segment", "セグメントを編集"),
    ("Warnings acknowledged", "確認した警告"),
    ("Approvers", "承認者"),
    ("Checks before sending", "配信前チェック"),
    ("Noticed at", "気づいた日時"),
    ("Noticed by", "気づいた人"),
    ("Replaced", "置き換えたもの"),
    ("Replaced draft", "置き換えた下書き"),
    ("Replaced revision", "置き換えた版"),
    ("Timing", "配信のタイミング"),
    ("Typed phrase", "入力した確認の文字"),
    ("Figures read", "読み取った数値"),
    ("Was", "変更前"),
    ("What was wrong", "誤っていた内容"),
    ("green", "すべて満たしている"),
    ("cli", "コマンドライン"),
    ("dispatcher", "自動配信"),
    ("system", "システム"),
    ("webhook", "LINEからの通知"),
    ("scheduler", "予約処理"),
    ("Owner name", "持ち主の名前"),
    ("now", "今すぐ"),
    ("friends", "友だち"),
    ("greeting", "あいさつメッセージ"),
    ("segment", "セグメント配信"),
];
