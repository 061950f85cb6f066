//! Japanese for the greeting message (issue #19), in LINE Official Account Manager's words:
//! あいさつメッセージ, 友だち追加, ブロック解除, 応答メッセージ (the reply API's word),
//! メッセージ通数, 確認者, 版. The greeting page and its activation, the draft page and
//! editor of a greeting, the policy's greeting settings, the sandbox's new friend, the
//! outcomes, reasons and refusals, notifications and audit actions.

pub static ENTRIES: &[(&str, &str)] = &[
    // The kind, the navigation and the page.
    ("Greeting message", "あいさつメッセージ"),
    (
        "The greeting message (あいさつメッセージ) is what each new friend receives the moment they add the account. sendgate sends it as a free reply to LINE's follow event, and only a revision that passed the gate: approved by reviewers who did not write it, test-sent to a phone and confirmed, with no content errors, and activated with the account's name typed.",
        "あいさつメッセージは、友だち追加された瞬間に新しい友だちへ届くメッセージです。sendgateはLINEの友だち追加イベントへの応答メッセージ（無料）として送ります。送られるのは配信前チェックをすべて満たした版だけです: 作成に関わっていない確認者が承認し、テスト配信をスマートフォンで確認し、内容にエラーがなく、アカウント名を入力して有効化した版です。",
    ),
    (
        "Turn off the greeting in LINE Official Account Manager",
        "LINE Official Account Managerのあいさつメッセージをオフにしてください",
    ),
    (
        "LINE sends the greeting set in LINE Official Account Manager by itself, on top of this one. So that nobody is greeted twice, turn that one off: Home → Chat room settings (トークルーム管理) → Greeting message (あいさつメッセージ).",
        "LINE Official Account Managerで設定したあいさつメッセージは、これとは別にLINEが自動で送ります。同じ友だちに2回届かないよう、そちらはオフにしてください: ホーム → トークルーム管理 → あいさつメッセージ。",
    ),
    ("Active greeting", "配信中のあいさつメッセージ"),
    (
        "Held since {time}: nothing is sent to new friends until a greeting message is activated again.",
        "{time}から保留中です: あいさつメッセージをもう一度有効化するまで、新しい友だちには何も送られません。",
    ),
    (
        "Fix what it says on the draft page, then activate the greeting again.",
        "下書きのページで指摘された点を直してから、あいさつメッセージをもう一度有効化してください。",
    ),
    ("Greeting", "あいさつメッセージ"),
    ("Activated", "有効化"),
    (
        "Revision {n} of this greeting is being edited or reviewed. Until it passes the gate and is activated, new friends keep receiving revision {m}.",
        "このあいさつメッセージの第{n}版を編集・確認中です。第{n}版が配信前チェックをすべて満たして有効化されるまで、新しい友だちには第{m}版が届きます。",
    ),
    ("Activate revision {n}…", "第{n}版を有効化…"),
    ("Its gate checklist", "配信前チェック"),
    (
        "Deactivate the greeting message",
        "あいさつメッセージを停止",
    ),
    (
        "No greeting message is active: new friends get none from sendgate. Activate one of the greeting drafts below once its gate is green.",
        "有効なあいさつメッセージはありません。sendgateからは新しい友だちに何も送られません。下のあいさつメッセージの下書きの配信前チェックがすべて満たされたら、有効化してください。",
    ),
    ("How it is sent", "送り方"),
    (
        "A reply to the friend's follow: free, it uses none of the monthly message quota.",
        "友だち追加への応答メッセージとして送ります。無料で、今月のメッセージ通数を消費しません。",
    ),
    (
        "Quiet hours do not apply: the greeting answers the friend's own action, the moment they add the account.",
        "配信停止時間帯は適用されません。あいさつメッセージは、友だち追加という友だち自身の操作にその場で応えるものだからです。",
    ),
    (
        "Before each reply sendgate asks the gate again: when an approver was disabled or someone requested changes of the active revision, the greeting is held, nothing is sent, and the author, the approvers and the admins are told.",
        "応答のたびにsendgateは配信前チェックをもう一度行います。承認者が無効になった、または配信中の版に修正依頼が出たときは、あいさつメッセージを保留して何も送らず、作成者・承認者・管理者に知らせます。",
    ),
    (
        "A friend who unblocks the account gets it again (release policy).",
        "ブロックを解除した友だちにも、もう一度送ります（配信ポリシー）。",
    ),
    (
        "Only friends who add the account for the first time get it; a friend who unblocks the account does not (release policy).",
        "はじめて友だち追加した友だちにのみ送ります。ブロックを解除した友だちには送りません（配信ポリシー）。",
    ),
    (
        "When the reply cannot be made within {n} seconds of the follow, the greeting is pushed instead: that uses the monthly quota (release policy).",
        "友だち追加から{n}秒以内に応答できなかったときは、代わりに通常のメッセージで送ります。この場合は今月のメッセージ通数を消費します（配信ポリシー）。",
    ),
    (
        "When the reply cannot be made within {n} seconds of the follow, the friend is recorded as not greeted (release policy).",
        "友だち追加から{n}秒以内に応答できなかったときは、送らずに「未送信」として記録します（配信ポリシー）。",
    ),
    ("Change it in the release policy", "配信ポリシーで変更する"),
    (
        "In sandbox mode, try it from the sandbox page: “A new friend adds the account”.",
        "サンドボックスモードでは、サンドボックスのページの「新しい友だちが友だち追加する」で試せます。",
    ),
    ("Greeting drafts", "あいさつメッセージの下書き"),
    (
        "No greeting message written yet.",
        "あいさつメッセージはまだ作成されていません。",
    ),
    ("Active: revision {n}", "配信中: 第{n}版"),
    ("Ready to activate", "有効化できます"),
    ("Missing: {items}", "不足: {items}"),
    ("New greeting message", "新しいあいさつメッセージ"),
    (
        "The greeting message was not saved. Please check the highlighted fields.",
        "あいさつメッセージは保存されていません。示された項目を確認してください。",
    ),
    (
        "(more messages, images and stickers can be added in the editor afterwards)",
        "（吹き出しの追加や画像・スタンプは、あとで編集画面から追加できます）",
    ),
    ("Save as a draft", "下書きとして保存"),
    ("Last greetings sent", "最近のあいさつメッセージ"),
    (
        "No new friend has been greeted yet.",
        "まだ新しい友だちにあいさつメッセージを送っていません。",
    ),
    ("Friend", "友だち"),
    ("Outcome", "結果"),
    ("(unblocked)", "（ブロック解除）"),
    ("(no name yet)", "（名前未取得）"),
    ("“{title}”, revision {n}", "「{title}」第{n}版"),
    // Outcomes.
    ("Waiting to be sent", "送信待ち"),
    ("Being sent", "送信中"),
    ("Greeted by reply", "応答メッセージで送信済み"),
    ("Greeted by push", "通常のメッセージで送信済み"),
    ("Not greeted", "未送信"),
    ("Held: nothing sent", "保留: 送信なし"),
    ("Outcome unknown", "結果不明"),
    // Reasons recorded per friend.
    (
        "A re-follow after a block: the release policy greets only friends who add the account for the first time.",
        "ブロック解除による再追加です。配信ポリシーにより、はじめて友だち追加した友だちにのみ送ります。",
    ),
    (
        "No greeting message was active any more when it came to be sent.",
        "送信する時点で、有効なあいさつメッセージがありませんでした。",
    ),
    (
        "An earlier reply got no clear answer from LINE and may have reached the friend, so sendgate did not push the greeting as well: nobody is greeted twice.",
        "先の応答メッセージにLINEからはっきりした返事がなく、友だちに届いた可能性があります。2回届かないよう、通常のメッセージでは送りませんでした。",
    ),
    (
        "The reply token was older than the policy's reply deadline, and the policy records the friend as not greeted instead of pushing (a push would use the monthly quota).",
        "応答トークンが配信ポリシーの応答期限を過ぎていました。ポリシーにより、通常のメッセージ（メッセージ通数を消費）では送らず「未送信」として記録しました。",
    ),
    (
        "LINE sent no reply token with the follow, and the policy records the friend as not greeted instead of pushing.",
        "友だち追加イベントに応答トークンがありませんでした。ポリシーにより、通常のメッセージでは送らず「未送信」として記録しました。",
    ),
    (
        "LINE would not take the reply token ({line}), and the policy records the friend as not greeted instead of pushing.",
        "LINEが応答トークンを受け付けませんでした（{line}）。ポリシーにより、通常のメッセージでは送らず「未送信」として記録しました。",
    ),
    (
        "LINE refused the reply: {problem}",
        "LINEが応答メッセージを受け付けませんでした: {problem}",
    ),
    (
        "LINE refused the push: {problem}",
        "LINEが通常のメッセージを受け付けませんでした: {problem}",
    ),
    // The activation page.
    ("Activate {title}", "{title}を有効化"),
    (
        "Activate “{title}”, revision {n}",
        "「{title}」第{n}版を有効化",
    ),
    ("What each new friend receives", "新しい友だちに届く内容"),
    (
        "Each new friend, the moment they add the account",
        "友だち追加された瞬間に、新しい友だちそれぞれへ",
    ),
    (
        "None: a greeting is a reply, and replies are free (a push after an expired reply token uses quota, when the release policy allows it).",
        "消費しません。あいさつメッセージは応答メッセージで、応答メッセージは無料です（配信ポリシーで認めている場合、応答トークンの期限切れ後の通常のメッセージは通数を消費します）。",
    ),
    ("Replaces", "置き換える配信"),
    (
        "No greeting message is active now.",
        "いま有効なあいさつメッセージはありません。",
    ),
    (
        "I read the warning above: a greeting message cannot be taken back once a friend receives it.",
        "上の注意を読みました: あいさつメッセージは友だちに届いたら取り消せません。",
    ),
    (
        "Type the account's name to confirm: {n}",
        "確認のためアカウント名を入力してください: {n}",
    ),
    (
        "Activate — every new friend receives it, and it cannot be retracted",
        "有効化 — 新しい友だち全員に届き、取り消せません",
    ),
    ("Not activated.", "有効化されませんでした。"),
    // The draft page and the editor of a greeting.
    (
        "Every gate item is green for this revision; activate it on the greeting page.",
        "この版の配信前チェックの項目はすべて満たされています。あいさつメッセージのページで有効化してください。",
    ),
    (
        "Not ready to activate as the greeting message. Missing: {items}.",
        "あいさつメッセージとして有効化する準備ができていません。不足: {items}。",
    ),
    (
        "Sent the moment a friend adds the account",
        "友だち追加された瞬間に送信",
    ),
    ("When a friend adds the account", "友だち追加されたとき"),
    (
        "Revision {n} is the active greeting message: each new friend receives it.",
        "第{n}版が配信中のあいさつメッセージです。新しい友だちそれぞれに届きます。",
    ),
    (
        "Revision {n} is the active greeting message and keeps being sent until revision {m} passes the gate and is activated.",
        "第{n}版が配信中のあいさつメッセージです。第{m}版が配信前チェックをすべて満たして有効化されるまで、第{n}版が送られ続けます。",
    ),
    (
        "A greeting message: once activated, each new friend receives it the moment they add the account.",
        "あいさつメッセージ: 有効化すると、友だち追加された瞬間に新しい友だちそれぞれへ届きます。",
    ),
    (
        "Your greeting message “{title}” is ready to be activated",
        "あいさつメッセージ「{title}」を有効化できます",
    ),
    // Flashes.
    (
        "Greeting message saved as revision 1. Submit it for review; once approved and tested, activate it on the greeting page.",
        "あいさつメッセージを第1版として保存しました。レビューに出し、承認とテスト配信が済んだら、あいさつメッセージのページで有効化してください。",
    ),
    (
        "Activated: from now on each new friend receives this greeting message. What is sent cannot be taken back.",
        "有効化しました。これから友だち追加した人それぞれにこのあいさつメッセージが届きます。送ったものは取り消せません。",
    ),
    (
        "The greeting message was deactivated: new friends get none from sendgate until one is activated again.",
        "あいさつメッセージを停止しました。もう一度有効化するまで、sendgateからは新しい友だちに何も送られません。",
    ),
    // Refusals and field errors.
    (
        "A greeting message is not released: it is activated on the greeting page (/greeting), and from then on each new friend receives it.",
        "あいさつメッセージは配信操作では送りません。あいさつメッセージのページ（/greeting）で有効化すると、それ以降に友だち追加した人それぞれに届きます。",
    ),
    (
        "Only a greeting message can be activated as the greeting; this draft is released from its own page.",
        "あいさつメッセージとして有効化できるのは、あいさつメッセージの下書きだけです。この下書きは下書きのページから配信します。",
    ),
    (
        "Submit the greeting message for review first: it is activated once reviewers have approved it.",
        "先にあいさつメッセージをレビューに出してください。確認者が承認してから有効化します。",
    ),
    (
        "Revision {n} is already the active greeting message.",
        "第{n}版はすでに配信中のあいさつメッセージです。",
    ),
    (
        "No greeting message is active, so there is nothing to deactivate.",
        "有効なあいさつメッセージがないため、停止するものはありません。",
    ),
    (
        "This draft is {state} and read-only; it cannot be activated.",
        "この下書きは{state}のため読み取り専用です。有効化できません。",
    ),
    (
        "A greeting message has no audience to preview: it goes to each new friend the moment they add the account.",
        "あいさつメッセージには確認する配信対象がありません。友だち追加された瞬間に、新しい友だちそれぞれへ届きます。",
    ),
    (
        "A greeting message goes to each new friend the moment they add the account, so it cannot have a segment.",
        "あいさつメッセージは友だち追加された瞬間に新しい友だちそれぞれへ届くため、セグメントは指定できません。",
    ),
    (
        "A greeting message is sent the moment a friend adds the account, so it has no send time; leave it empty.",
        "あいさつメッセージは友だち追加された瞬間に送るため、配信日時はありません。空欄にしてください。",
    ),
    // The release policy.
    (
        "(the reply each new friend gets; quiet hours do not apply to it, because it answers the friend's own action)",
        "（友だち追加した人それぞれへの応答メッセージ。友だち自身の操作に応えるものなので、配信停止時間帯は適用されません）",
    ),
    (
        "A friend who unblocks the account",
        "ブロックを解除した友だち",
    ),
    (
        "Does not get the greeting again (only first-time friends do)",
        "あいさつメッセージを送らない（はじめて友だち追加した人にのみ送る）",
    ),
    (
        "Gets the greeting again",
        "あいさつメッセージをもう一度送る",
    ),
    (
        "When the reply cannot be made in time",
        "期限内に応答できなかったとき",
    ),
    (
        "Record the friend as not greeted (sends nothing, costs nothing)",
        "「未送信」として記録する（何も送らず、通数も消費しない）",
    ),
    (
        "Push the greeting instead (uses the monthly quota)",
        "代わりに通常のメッセージで送る（今月のメッセージ通数を消費）",
    ),
    ("Reply deadline", "応答期限"),
    (
        "(seconds after the follow; LINE's reply token lasts about a minute; 5 to 60)",
        "（友だち追加からの秒数。LINEの応答トークンの有効期間は約1分です。5〜60）",
    ),
    (
        "Choose whether a friend who unblocks the account gets the greeting message again.",
        "ブロックを解除した友だちにもう一度あいさつメッセージを送るかどうかを選んでください。",
    ),
    (
        "Choose what happens when the reply to a new friend cannot be made in time.",
        "新しい友だちへ期限内に応答できなかったときの扱いを選んでください。",
    ),
    (
        "The reply deadline must be a whole number from 5 to 60.",
        "応答期限は5〜60の整数で入力してください。",
    ),
    // The sandbox's new friend.
    (
        "A new friend adds the account",
        "新しい友だちが友だち追加する",
    ),
    (
        "Add the official account as a friend (友だち追加) from a simulated phone, as LINE's follow event would arrive. While a greeting message is active, it answers within seconds and appears in this friend's inbox below.",
        "模擬スマートフォンから公式アカウントを友だち追加します。LINEの友だち追加イベントと同じように届きます。あいさつメッセージが有効なら、数秒以内に応答が送られ、下のこの友だちの受信箱に表示されます。",
    ),
    (
        "LINE user id of the new friend",
        "新しい友だちのLINEユーザーID",
    ),
    (
        "This friend had blocked the account and unblocks it",
        "この友だちはブロックしていて、ブロックを解除する",
    ),
    ("Add the account as a friend", "友だち追加する"),
    (
        "The simulated phone added the account as a friend. While a greeting message is active, it arrives here within seconds.",
        "模擬スマートフォンから友だち追加しました。あいさつメッセージが有効なら、数秒以内にここに届きます。",
    ),
    (
        "sendgate is connected to LINE: new friends add the account from LINE itself.",
        "sendgateはLINEに接続されています。友だち追加はLINEアプリから行われます。",
    ),
    // Notifications and the chat webhook.
    (
        "The greeting message was held at its send time",
        "送信時にあいさつメッセージを保留",
    ),
    (
        "The greeting message “{title}” was held when a new friend added the account, and nothing was sent: {reason}",
        "新しい友だちが友だち追加したとき、あいさつメッセージ「{title}」を保留し、何も送りませんでした: {reason}",
    ),
    // Audit actions.
    ("greeting.activated", "あいさつメッセージを有効化"),
    ("greeting.deactivated", "あいさつメッセージを停止"),
    ("greeting.queued", "あいさつメッセージの送信を予定"),
    (
        "greeting.not_greeted",
        "あいさつメッセージを未送信として記録",
    ),
    (
        "greeting.replied",
        "あいさつメッセージを応答メッセージで送信",
    ),
    (
        "greeting.pushed",
        "あいさつメッセージを通常のメッセージで送信",
    ),
    ("greeting.outcome_unknown", "あいさつメッセージの結果が不明"),
    ("greeting.held", "あいさつメッセージを保留（友だちごと）"),
    (
        "greeting.activation_held",
        "送信時にあいさつメッセージを保留",
    ),
];
