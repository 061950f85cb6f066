//! Japanese for trust (issue #18): sign-in and its second factor, confirming it is you,
//! sessions, the audit log in words, and the refusals of bounded input. English text (the
//! key) and its Japanese, in the words LINE Official Account Manager users know
//! (2段階認証, 認証アプリ, ログイン中の端末).

pub static ENTRIES: &[(&str, &str)] = &[
    // Header and pages.
    ("Security", "セキュリティ"),
    ("Your sessions", "ログイン中の端末"),
    ("← Your sessions", "← ログイン中の端末"),
    (
        "Everywhere you are signed in to sendgate. If you do not recognise one, sign it out and change your password.",
        "sendgateにログインしている端末の一覧です。心当たりのないものはログアウトさせ、パスワードを変更してください。",
    ),
    ("Device", "端末"),
    ("Address", "IPアドレス"),
    ("Signed in", "ログイン日時"),
    ("Last seen", "最終利用"),
    ("this browser", "このブラウザ"),
    ("Sign out everywhere else", "ほかの端末をすべてログアウト"),
    ("{browser} on {system}", "{browser}（{system}）"),
    ("unknown browser", "不明なブラウザ"),
    ("unknown system", "不明なOS"),
    (
        "That session is signed out.",
        "その端末をログアウトさせました。",
    ),
    (
        "Signed out everywhere else ({n} sessions).",
        "ほかの端末をすべてログアウトさせました（{n}件）。",
    ),
    // Two-factor sign-in.
    ("Two-factor sign-in", "2段階認証"),
    ("Two-factor", "2段階認証"),
    ("set up", "設定済み"),
    ("not set up", "未設定"),
    ("Two-factor sign-in is on.", "2段階認証はオンです。"),
    (
        "Two-factor sign-in is off: set it up.",
        "2段階認証はオフです。設定してください。",
    ),
    ("Two-factor sign-in is off.", "2段階認証はオフです。"),
    (
        "With two-factor sign-in, your password alone is not enough: sendgate also asks for a 6-digit code from an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, 1Password and others).",
        "2段階認証をオンにすると、パスワードだけではログインできなくなります。スマートフォンの認証アプリ（Google Authenticator、Microsoft Authenticator、1Passwordなど）に表示される6桁のコードも入力します。",
    ),
    (
        "The release policy requires two-factor sign-in for your role. Set it up to continue using sendgate.",
        "配信ポリシーにより、あなたの役割では2段階認証が必須です。sendgateを使い続けるには設定してください。",
    ),
    ("Set up two-factor sign-in", "2段階認証を設定する"),
    (
        "1. Scan this code with your authenticator app",
        "1. 認証アプリでこのQRコードを読み取る",
    ),
    (
        "QR code for your authenticator app",
        "認証アプリ用のQRコード",
    ),
    (
        "Cannot scan? Enter this key in the app instead:",
        "読み取れない場合は、このキーをアプリに入力してください:",
    ),
    (
        "2. Enter the code the app shows",
        "2. アプリに表示されたコードを入力",
    ),
    ("Code", "コード"),
    ("Turn on two-factor sign-in", "2段階認証をオンにする"),
    ("Your recovery codes", "リカバリーコード"),
    (
        "Each code signs you in once if you lose your phone. They are shown only now: print them or keep them in a password manager.",
        "スマートフォンをなくしたとき、各コードで1回ログインできます。表示されるのは今だけです。印刷するか、パスワード管理アプリに保存してください。",
    ),
    (
        "Two-factor sign-in is on. Recovery codes left: {n}.",
        "2段階認証はオンです。残りのリカバリーコード: {n}件。",
    ),
    ("Make new recovery codes", "リカバリーコードを作り直す"),
    ("Turn off two-factor sign-in", "2段階認証をオフにする"),
    (
        "Two-factor sign-in is on. Keep your recovery codes somewhere safe.",
        "2段階認証をオンにしました。リカバリーコードは安全な場所に保管してください。",
    ),
    (
        "New recovery codes are ready; the old ones no longer work.",
        "新しいリカバリーコードを作成しました。以前のコードは使えなくなりました。",
    ),
    (
        "Two-factor sign-in is already on for your account.",
        "あなたのアカウントでは2段階認証がすでにオンです。",
    ),
    (
        "That code is not right. Check that the time on your phone is correct and enter the code the app shows now.",
        "コードが正しくありません。スマートフォンの時刻が正しいか確認し、アプリに今表示されているコードを入力してください。",
    ),
    (
        "There is no two-factor setup waiting for a code. Start again from the security page.",
        "コードを待っている2段階認証の設定はありません。セキュリティのページからやり直してください。",
    ),
    (
        "Two-factor sign-in is not on for your account.",
        "あなたのアカウントでは2段階認証がオンになっていません。",
    ),
    (
        "The release policy requires two-factor sign-in for your role, so it cannot be turned off. Ask an admin to reset it if you lost your phone.",
        "配信ポリシーにより、あなたの役割では2段階認証が必須のため、オフにできません。スマートフォンをなくした場合は管理者にリセットを依頼してください。",
    ),
    (
        "Set up two-factor sign-in first",
        "先に2段階認証を設定してください",
    ),
    (
        "The release policy requires two-factor sign-in for your role. Set it up on your security page, then try again.",
        "配信ポリシーにより、あなたの役割では2段階認証が必須です。セキュリティのページで設定してから、もう一度お試しください。",
    ),
    // The second step of signing in.
    (
        "Your password was right. Now enter the 6-digit code your authenticator app shows for sendgate.",
        "パスワードを確認しました。次に、認証アプリに表示されているsendgateの6桁のコードを入力してください。",
    ),
    (
        "Lost your phone? Enter one of your recovery codes instead (each works once), or ask an admin to reset your two-factor sign-in.",
        "スマートフォンをなくした場合は、代わりにリカバリーコードを入力するか（各コードは1回だけ使えます）、管理者に2段階認証のリセットを依頼してください。",
    ),
    (
        "That code is not right. Enter the code your app shows now, or one of your recovery codes.",
        "コードが正しくありません。アプリに今表示されているコードか、リカバリーコードを入力してください。",
    ),
    (
        "The time for the code is over. Sign in again with your password.",
        "コードの入力時間が過ぎました。もう一度パスワードでログインしてください。",
    ),
    (
        "Too many failed sign-ins. Wait {minutes} minutes and try again, or ask an administrator to reset your password.",
        "ログインの失敗が多すぎます。{minutes}分待ってからもう一度お試しいただくか、管理者にパスワードの再設定を依頼してください。",
    ),
    (
        "Too many failed sign-ins. Wait {minutes} minute and try again, or ask an administrator to reset your password.",
        "ログインの失敗が多すぎます。{minutes}分待ってからもう一度お試しいただくか、管理者にパスワードの再設定を依頼してください。",
    ),
    (
        "Too many people are signing in at this moment. Try again in a few seconds.",
        "ただいまログインが集中しています。数秒後にもう一度お試しください。",
    ),
    // Confirming it is you.
    ("Confirm it is you", "本人確認"),
    ("Your password", "あなたのパスワード"),
    (
        "Your password, or the 6-digit code from your authenticator app",
        "あなたのパスワード、または認証アプリの6桁のコード",
    ),
    (
        "To confirm it is you: the policy asks again {minutes} minutes after you last signed in or confirmed.",
        "本人確認のためです。配信ポリシーにより、前回のログインまたは本人確認から{minutes}分たつと、もう一度確認します。",
    ),
    (
        "This action needs a fresh proof that it is you. Enter it below and nothing you filled in is lost.",
        "この操作には改めて本人確認が必要です。下に入力してください。入力済みの内容はそのまま引き継がれます。",
    ),
    (
        "This action needs a fresh proof that it is you. Nothing was done yet.",
        "この操作には改めて本人確認が必要です。まだ何も実行されていません。",
    ),
    (
        "That password or code is not right.",
        "パスワードまたはコードが正しくありません。",
    ),
    (
        "Too many wrong passwords or codes. Wait {minutes} minutes and try again. Nothing was done yet.",
        "パスワードまたはコードの誤りが多すぎます。{minutes}分待ってからもう一度お試しください。まだ何も実行されていません。",
    ),
    (
        "Too many people are signing in at this moment. Try again in a few seconds. Nothing was done yet.",
        "ただいまログインが集中しています。数秒後にもう一度お試しください。まだ何も実行されていません。",
    ),
    ("Confirm and continue", "確認して続ける"),
    (
        "Cancel and go to the dashboard",
        "中止してダッシュボードへ戻る",
    ),
    (
        "The form could not be read ({problem}). Reload the page and try again.",
        "フォームを読み取れませんでした（{problem}）。ページを再読み込みして、もう一度お試しください。",
    ),
    // The admin pages.
    (
        "The release policy requires two-factor sign-in for some roles: people without it are asked to set it up when they next sign in.",
        "配信ポリシーにより、一部の役割では2段階認証が必須です。未設定の人は、次のログイン時に設定を求められます。",
    ),
    (
        "Set up: this person signs in with a code from their authenticator app.",
        "設定済み: この人は認証アプリのコードでログインします。",
    ),
    (
        "If they lost their phone and their recovery codes, reset it: their sessions end and they set it up again.",
        "スマートフォンとリカバリーコードをなくした場合はリセットしてください。この人はログアウトされ、2段階認証を設定し直します。",
    ),
    ("Reset two-factor sign-in", "2段階認証をリセット"),
    (
        "Not set up. Each person sets it up themselves from their security page.",
        "未設定です。各自がセキュリティのページで設定します。",
    ),
    (
        "{username} has no two-factor sign-in to reset.",
        "{username}には、リセットする2段階認証がありません。",
    ),
    (
        "Your two-factor sign-in was reset; sign in again and set it up.",
        "あなたの2段階認証をリセットしました。もう一度ログインして設定してください。",
    ),
    (
        "Two-factor sign-in reset; the user's sessions have ended.",
        "2段階認証をリセットしました。このユーザーはログアウトされました。",
    ),
    ("Sign-in and confirmation", "ログインと本人確認"),
    (
        "Ask again for a password or code after",
        "パスワードまたはコードを再確認するまでの時間",
    ),
    (
        "(minutes since the last sign-in or confirmation, 1 to 1440; a release, an activation and a change of roles or policy ask again after this)",
        "（前回のログインまたは本人確認からの分数、1〜1,440。これを過ぎると、配信・シナリオの開始・役割やポリシーの変更の前にもう一度確認します）",
    ),
    (
        "Sign out sessions unused for",
        "使われていない端末を自動でログアウトするまで",
    ),
    (
        "Admins must sign in with two-factor sign-in",
        "管理者は2段階認証でのログインを必須にする",
    ),
    (
        "Everyone who can release or activate (marketers) must sign in with two-factor sign-in",
        "配信やシナリオの開始ができる人（配信担当者）は2段階認証でのログインを必須にする",
    ),
    (
        "The time before asking again must be a whole number from 1 to 1440.",
        "再確認までの時間は1〜1440の整数で入力してください。",
    ),
    (
        "The idle time must be a number of hours from 0.25 to 8760.",
        "自動ログアウトまでの時間は0.25〜8,760の時間数で入力してください。",
    ),
    (
        "The allow list can hold at most {n} hosts.",
        "許可リストに登録できるホストは{n}件までです。",
    ),
    // Bounded input.
    (
        "This can have at most {max} characters (it has {n}).",
        "{max}文字まで入力できます（現在{n}文字）。",
    ),
    (
        "A tag can have at most {max} characters; \"{tag}\" has {n}.",
        "タグは{max}文字までです。「{tag}」は{n}文字あります。",
    ),
    (
        "A segment can have at most {max} conditions (tags, attributes and the follow date together); this one has {n}. Split it or use fewer tags.",
        "セグメントの条件は{max}個まで（タグ・属性・友だち追加日の合計）です。このセグメントには{n}個あります。分けるか、タグを減らしてください。",
    ),
    (
        "Line {line}: a quoted value starts on this line and is never closed. Add the missing \" and import the whole file again.",
        "{line}行目: この行で始まる引用符（\"）が閉じられていません。足りない\"を補って、ファイル全体をもう一度取り込んでください。",
    ),
    (
        "a value holds a line break: a quote (\") is probably not closed",
        "値に改行が含まれています。引用符（\"）が閉じられていない可能性があります",
    ),
    (
        "the tag \"{tag}\" is longer than {max} characters",
        "タグ「{tag}」が{max}文字を超えています",
    ),
    (
        "the value of attr:{key} is longer than {max} characters",
        "attr:{key}の値が{max}文字を超えています",
    ),
    (
        "the column name attr:{key} is longer than {max} characters",
        "列名attr:{key}が{max}文字を超えています",
    ),
    // The chat webhook.
    (
        "The webhook URL must not contain a user name or password.",
        "Webhook URLにユーザー名やパスワードを含めないでください。",
    ),
    (
        "The webhook URL must start with https://: chat messages and the URL's secret must not travel unencrypted.",
        "Webhook URLはhttps://で始めてください。チャットのメッセージとURLに含まれる秘密の情報を暗号化せずに送ることはできません。",
    ),
    // The audit log.
    (
        "Every sign-in and change, newest first. Each event is sealed together with the one before it by a key kept outside the database;",
        "すべてのログインと変更を新しい順に表示します。各記録は、データベースの外に保管した鍵で直前の記録とつなげて封印されています。",
    ),
    (
        "detects any edited, inserted, reordered or deleted event.",
        "で、書き換え・挿入・並べ替え・削除された記録を検出できます。",
    ),
    ("Download CSV", "CSVをダウンロード"),
    ("Changed from {from} to {to}", "{from}から{to}に変更"),
    (
        "Confirmed it was them just now ({by})",
        "この操作の直前に本人確認済み（{by}）",
    ),
    (
        "Confirmed it was them recently ({by})",
        "最近本人確認済み（{by}）",
    ),
    ("totp", "認証アプリのコード"),
    ("recovery code", "リカバリーコード"),
    ("password", "パスワード"),
    ("yes", "はい"),
    ("no", "いいえ"),
    ("Accepted", "受付"),
    ("Added", "追加"),
    ("Batches", "送信単位の数"),
    ("By", "方法"),
    ("Confirmed", "本人確認"),
    ("Delay", "待ち時間"),
    ("Events", "イベント"),
    ("For", "対象の操作"),
    ("Audit key", "操作履歴の鍵"),
    ("Minutes", "分"),
    ("New friend", "新しい友だち"),
    ("Oldest sessions ended", "ログアウトさせた古い端末"),
    ("Preview", "プレビュー"),
    ("Chain before", "封印前のチェーン"),
    ("Previous hash", "前の確認コード"),
    ("Head before", "封印前の最新記録"),
    ("Recipients reached", "届いた人数"),
    ("Reason", "理由"),
    ("Recovery codes", "リカバリーコード"),
    ("Recovery codes left", "残りのリカバリーコード"),
    ("Rows", "行数"),
    ("Rules", "条件"),
    ("Second factor", "2段階目の認証"),
    ("Sessions ended", "ログアウトさせた端末"),
    ("Sign-in backoff cleared", "ログイン制限を解除"),
    ("Typed name", "入力された名前"),
    ("Updated", "更新"),
    ("User name length", "ユーザー名の長さ"),
    ("Webhook set", "Webhookの設定"),
    // The audit CSV's columns.
    ("id", "番号"),
    ("at", "日時"),
    ("actor", "操作した人"),
    ("action", "操作"),
    ("subject", "対象"),
    ("details", "内容"),
    ("hash", "封印"),
    // New audit actions.
    ("audit.sealed", "操作履歴を鍵で封印"),
    ("login.failures_counted", "記録を省略したログイン失敗"),
    ("session.confirmed", "本人確認"),
    ("session.ended", "端末をログアウト"),
    ("session.ended_others", "ほかの端末をすべてログアウト"),
    ("two_factor.enrolled", "2段階認証を設定"),
    ("two_factor.secrets_sealed", "2段階認証の秘密鍵を暗号化"),
    (
        "two_factor.recovery_codes_replaced",
        "リカバリーコードを作り直し",
    ),
    ("two_factor.removed", "2段階認証をオフ"),
    ("two_factor.reset", "2段階認証をリセット"),
];
