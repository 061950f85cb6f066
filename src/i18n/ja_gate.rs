//! Japanese for the send-time gate (issue #15) and the release path around it: held
//! releases and steps, the monthly quota and its reservations, the undo window, quiet
//! hours, testers as staff phones and their pairing, partial sends in LINE's words, and
//! corrections that reach exactly who received the mistake.

pub static ENTRIES: &[(&str, &str)] = &[
    // The gate's rules and their reasons (filled in by the domain).
    ("Monthly quota", "今月のメッセージ通数"),
    ("Testers", "テスター"),
    (
        "{n} of {m} approvals of this exact revision by reviewers who did not write any of it.",
        "この版の承認 {n}/{m}（どの版の作成にも関わっていない確認者による承認が必要です）。",
    ),
    (
        "{n} of {m} approvals of this exact revision by reviewers who did not write any of it (one more for a large audience).",
        "この版の承認 {n}/{m}（どの版の作成にも関わっていない確認者による承認が必要です。配信人数が多いため1人多く必要です）。",
    ),
    ("{n} of {m} approvals.", "承認 {n}/{m}。"),
    (
        "{n} of {m} approvals (one more for a large audience).",
        "承認 {n}/{m}（配信人数が多いため1人多く必要です）。",
    ),
    (
        "sendgate could not tell; it was not checked.",
        "確認できなかったため、チェックされていません。",
    ),
    (
        "The send time is in the past; choose a new one.",
        "配信日時が過ぎています。新しい日時を選んでください。",
    ),
    (
        "The send time falls in quiet hours ({window}); choose another time. An admin can change quiet hours in the release policy.",
        "配信日時が配信停止時間帯（{window}）に入っています。別の日時を選んでください。配信停止時間帯は管理者が配信ポリシーで変更できます。",
    ),
    ("The send time is fine.", "配信日時に問題はありません。"),
    (
        "Quiet hours are in force now: it will be sent at {time}, when they end.",
        "いまは配信停止時間帯です。終わる{time}に配信されます。",
    ),
    (
        "Sent {n} seconds after release; until then it can be cancelled.",
        "配信の確定から{n}秒後に送信します。それまでは取り消せます。",
    ),
    ("Sent when released.", "確定するとすぐに送信します。"),
    (
        "Quiet hours ({start} to {end} {zone}) are in force now; nothing is sent before {time}.",
        "いまは配信停止時間帯（{start}〜{end} {zone}）です。{time}までは何も送信しません。",
    ),
    ("Outside quiet hours.", "配信停止時間帯ではありません。"),
    (
        "The plan has no monthly limit.",
        "このプランには月間の通数上限がありません。",
    ),
    (
        "LINE did not report the quota just now; it is checked again when sending.",
        "いまはLINEからメッセージ通数を取得できませんでした。送信時にもう一度確認します。",
    ),
    (
        "LINE did not report the monthly quota; sendgate asks again shortly.",
        "LINEから今月のメッセージ通数を取得できませんでした。少し後にもう一度確認します。",
    ),
    (
        "This send needs {n} messages but only {l} are left this month.",
        "この配信には{n}通必要ですが、今月の残りは{l}通です。",
    ),
    (
        "This send needs {n} messages but only {l} are left this month: {r} more are reserved by releases not yet sent.",
        "この配信には{n}通必要ですが、今月の残りは{l}通です（まだ送信されていない配信が{r}通を確保しています）。",
    ),
    (
        "Uses {n} of the {l} messages left this month ({u} of {lim} used).",
        "今月の残り{l}通のうち{n}通を使います（{lim}通中{u}通を使用済み）。",
    ),
    (
        "Uses {n} of the {l} messages left this month ({u} of {lim} used; {r} more are reserved by releases not yet sent).",
        "今月の残り{l}通のうち{n}通を使います（{lim}通中{u}通を使用済み。まだ送信されていない配信が{r}通を確保しています）。",
    ),
    (
        "No staff phone is paired as a tester yet: pair your own LINE account on the Testers page.",
        "テスト配信を受け取るスタッフのスマートフォンがまだ登録されていません。テスターのページで自分のLINEアカウントを登録してください。",
    ),
    (
        "{n} testers are paired but the policy allows {max}; an admin must remove some first.",
        "テスターが{n}人登録されていますが、配信ポリシーで認められているのは{max}人までです。先に管理者が登録を外してください。",
    ),
    ("{n} staff phone.", "スタッフのスマートフォン{n}台。"),
    ("{n} staff phones.", "スタッフのスマートフォン{n}台。"),
    (
        "The same messages went to an overlapping audience on {time} (release #{id}, \"{title}\"); make sure nobody receives them twice.",
        "同じメッセージが{time}に重なる配信対象へ送られています（配信 #{id}「{title}」）。同じ人に二度届かないか確認してください。",
    ),
    (
        "The correction repeats the mistake: every message of the original is still in it unchanged, so customers would receive the wrong message again. Fix what was wrong.",
        "訂正配信が誤りをくり返しています。元のメッセージがすべてそのまま残っているため、誤った内容がもう一度届きます。誤っていた箇所を直してください。",
    ),
    (
        "The friend count changed from {previewed} to {now} since the preview, more than the policy allows; take a new one.",
        "配信対象の確認後に友だち数が{previewed}人から{now}人に変わり、配信ポリシーの許容範囲を超えました。もう一度確認してください。",
    ),
    // The release page and the progress page.
    ("What goes out", "配信される内容"),
    ("Not released.", "配信していません。"),
    (
        "{time}, when quiet hours end: released now, it waits until then and can be cancelled",
        "配信停止時間帯が終わる{time}。いま確定すると、それまで待機し、取り消すこともできます",
    ),
    (
        "After a {n}-second undo window, at about {time}; until then it can be cancelled",
        "{n}秒の取り消し猶予のあと、{time}ごろ。それまでは取り消せます",
    ),
    (
        "Sending starts in {n} seconds",
        "あと{n}秒で配信が始まります",
    ),
    ("Sending starts now", "まもなく配信が始まります"),
    ("Scheduled for {time}.", "{time}に予約配信します。"),
    (
        "Release #{id} was held at its send time: nothing was sent",
        "配信 #{id} は送信時に保留されました。何も送信されていません",
    ),
    (
        "Held at its send time: nothing was sent",
        "送信時に保留されました。何も送信されていません",
    ),
    (
        "The gate was asked again at {time} and was not green:",
        "{time}に配信条件をもう一度確認したところ、満たしていない項目がありました。",
    ),
    (
        "Fix what it says and release again (approvals and tests of this revision still count), or cancel it.",
        "指摘された点を直してから、もう一度配信を確定するか、配信を取り消してください（この版の承認とテスト配信はそのまま有効です）。",
    ),
    (
        "Fix what it says on the draft page and release again, or cancel it.",
        "下書きのページで指摘された点を直してから、もう一度配信を確定するか、配信を取り消してください。",
    ),
    ("The held release", "保留された配信"),
    ("Who did not receive it", "届かなかった人"),
    (
        "Refused by LINE: {n} batches, {m} recipients",
        "LINEが受け付けなかった配信: {n}回、{m}人",
    ),
    (
        "Not attempted after the send stopped: {n} batches, {m} recipients",
        "配信が止まったため送信しなかった分: {n}回、{m}人",
    ),
    ("LINE said:", "LINEの応答:"),
    (", {n} not attempted", "、{n}回は送信せず"),
    ("Recipient list", "配信対象リスト"),
    (
        "Release #{id} did not reach everyone",
        "配信 #{id} は全員には届きませんでした",
    ),
    ("See it", "確認する"),
    (
        "The release was cancelled; nothing was sent.",
        "配信を取り消しました。何も送信されていません。",
    ),
    ("held", "保留"),
    ("held before sending", "送信前に保留"),
    (
        "{failed} of {total} batches were refused by LINE and {skipped} were not attempted; {n} recipients were reached.",
        "{total}回中{failed}回をLINEが受け付けず、{skipped}回は送信しませんでした。{n}人に届きました。",
    ),
    // The release policy.
    ("Undo window", "配信取り消し猶予"),
    (
        "(seconds an immediate release waits, cancellable, before it is sent; 0 to 3,600)",
        "（今すぐ配信を確定してから送信が始まるまでの秒数。その間は取り消せます。0〜3,600）",
    ),
    ("Testers at most", "テスターの上限"),
    (
        "(staff phones that receive test sends; 1 to 100)",
        "（テスト配信を受け取るスタッフのスマートフォンの数。1〜100）",
    ),
    (
        "The number of testers must be a whole number from 1 to 100.",
        "テスターの上限は1から100までの整数で入力してください。",
    ),
    (
        "The undo window must be a whole number from 0 to 3600.",
        "配信取り消し猶予は0から3600までの整数で入力してください。",
    ),
    // Testers are staff phones.
    (
        "Test sends go only to the phones of your team, never to customers: each tester is the LINE account of someone who signs in here.",
        "テスト配信はチームのスマートフォンにだけ届き、お客様には届きません。テスターは、ここにログインする人それぞれのLINEアカウントです。",
    ),
    (
        "{n} of at most {max} testers.",
        "テスター{n}人（上限{max}人）。",
    ),
    ("Your phone", "あなたのスマートフォン"),
    (
        "Open LINE on your phone, open the chat with this official account and send this code as a message:",
        "スマートフォンでLINEを開き、この公式アカウントのトーク画面で、次のコードをメッセージとして送ってください。",
    ),
    (
        "It works once, until {time}. Then reload this page.",
        "使えるのは1回だけで、{time}まで有効です。送ったらこのページを再読み込みしてください。",
    ),
    (
        "In the sandbox, send it from a simulated phone on the sandbox page.",
        "サンドボックスでは、サンドボックスのページにある仮想スマートフォンから送ってください。",
    ),
    ("Open the sandbox", "サンドボックスを開く"),
    ("Pair my phone", "自分のスマートフォンを登録"),
    (
        "Your phone was paired at {time}; test sends now reach it.",
        "{time}にスマートフォンを登録しました。テスト配信が届きます。",
    ),
    (
        "Your last code was sent from LINE but could not pair:",
        "LINEからコードが届きましたが、登録できませんでした。",
    ),
    (
        "Waiting for your code from LINE (it works until {time}).",
        "LINEからコードが届くのを待っています（{time}まで有効）。",
    ),
    (
        "Your last code expired before it was sent; show a new one.",
        "前回のコードは送られる前に期限が切れました。新しいコードを表示してください。",
    ),
    (
        "Add a staff member's phone",
        "スタッフのスマートフォンを追加",
    ),
    (
        "Admins only; recorded in the audit log, and the other admins are told.",
        "管理者だけが追加できます。操作履歴に記録され、ほかの管理者にも通知されます。",
    ),
    (
        "LINE user id of the phone (it must have added the account as a friend)",
        "そのスマートフォンのLINEユーザーID（この公式アカウントを友だち追加している必要があります）",
    ),
    ("Whose phone it is", "誰のスマートフォンか"),
    ("Choose a person", "人を選んでください"),
    (
        "Choose whose phone this is.",
        "誰のスマートフォンかを選んでください。",
    ),
    ("Whose phone", "持ち主"),
    ("LINE name", "LINEの表示名"),
    ("(no name)", "（名前なし）"),
    ("How", "登録方法"),
    ("Actions", "操作"),
    ("paired from their phone", "本人がスマートフォンから登録"),
    ("added by an admin", "管理者が追加"),
    ("not paired to anyone", "持ち主が未登録"),
    (
        "nobody: receives no test send",
        "未登録: テスト配信は届きません",
    ),
    ("receives test sends", "テスト配信が届きます"),
    ("receives no test send", "テスト配信は届きません"),
    (
        "{id} is a tester: test sends go to that phone.",
        "{id}をテスターにしました。テスト配信がそのスマートフォンに届きます。",
    ),
    (
        "{id} is no longer a tester.",
        "{id}をテスターから外しました。",
    ),
    (
        "{id} is not a friend of this account; the phone must add the account as a friend first.",
        "{id}はこのアカウントの友だちではありません。先にそのスマートフォンから友だち追加してください。",
    ),
    (
        "This code has expired or was already used; show a new one on the Testers page.",
        "このコードは期限切れか、すでに使われています。テスターのページで新しいコードを表示してください。",
    ),
    (
        "This LINE account is already the test phone of {name}.",
        "このLINEアカウントは、すでに{name}さんのテスト用スマートフォンとして登録されています。",
    ),
    (
        "There are already {n} testers, as many as the policy allows; an admin must remove one first.",
        "テスターはすでに配信ポリシーの上限の{n}人います。先に管理者が1人外してください。",
    ),
    (
        "This LINE account has blocked the official account, so a test send could not reach it.",
        "このLINEアカウントは公式アカウントをブロックしているため、テスト配信が届きません。",
    ),
    (
        "Only an admin, or the person whose phone it is, can remove a tester.",
        "テスターを外せるのは、管理者かそのスマートフォンの持ち主だけです。",
    ),
    (
        "No staff phone is paired as a tester yet:",
        "テスト配信を受け取るスマートフォンがまだ登録されていません:",
    ),
    (
        "pair your own LINE account on the Testers page",
        "テスターのページで自分のLINEアカウントを登録してください",
    ),
    (
        "This page is out of date; reload it and send the test again.",
        "このページは古くなっています。再読み込みしてからもう一度テスト配信してください。",
    ),
    (
        "[TEST] {title} (revision {n})",
        "【テスト配信】{title}（第{n}版）",
    ),
    ("the test label", "テスト配信の見出し"),
    // The sandbox's simulated phone.
    ("A simulated phone", "仮想スマートフォン"),
    (
        "Send a chat message to the official account as a LINE user would, for example the pairing code from the Testers page.",
        "LINEユーザーとして公式アカウントにメッセージを送ります。たとえば、テスターのページに表示された登録コードです。",
    ),
    ("From LINE user id", "送信元のLINEユーザーID"),
    ("Send from this phone", "このスマートフォンから送る"),
    (
        "The message was sent from the simulated phone.",
        "仮想スマートフォンからメッセージを送りました。",
    ),
    (
        "sendgate is connected to LINE: send the message from the phone itself.",
        "sendgateはLINEに接続されています。スマートフォン本体からメッセージを送ってください。",
    ),
    // A draft's kind never changes.
    ("Edit draft #{id}", "下書き #{id} を編集"),
    (
        "A step message: its scenario sends it to each friend who enters, at the step's time.",
        "ステップ配信のメッセージです。シナリオに登録された友だちそれぞれに、ステップの時刻に配信されます。",
    ),
    (
        "(a draft's kind never changes; duplicate it to send it another way)",
        "（下書きの配信方法は変えられません。別の方法で送るには複製してください）",
    ),
    (
        "A draft's kind never changes: this one is a {kind}. Duplicate it to send it another way.",
        "下書きの配信方法は変えられません。この下書きは{kind}です。別の方法で送るには複製してください。",
    ),
    // Corrections reach exactly who received the mistake.
    ("Correction: ", "訂正: "),
    (
        "Correction draft ready, addressed to exactly the recipients who received the original. Write what customers should read in place of ○○, fix the text, submit it, test-send it.",
        "訂正配信の下書きを作成しました。元のメッセージを受け取った人だけに届きます。○○の部分にお客様に伝える内容を書き、本文を直してから、確認依頼とテスト配信をしてください。",
    ),
    (
        "LINE takes five messages at most, so the original's message {numbers} did not fit beside the apology: add it back in place of another if it must be corrected.",
        "LINEで送れる吹き出しは5つまでのため、元のメッセージの{numbers}番目はお詫びと一緒に入りませんでした。訂正が必要なら、ほかの吹き出しの代わりに入れ直してください。",
    ),
    (
        "LINE accepted this release for nobody, so no customer received it; there is nothing to correct.",
        "LINEはこの配信を誰にも受け付けなかったため、お客様には届いていません。訂正するものはありません。",
    ),
    (
        "Not released: this correction must reach exactly the {n} recipients who received release #{id}; take a new audience preview.",
        "配信していません。この訂正配信は、配信 #{id} を受け取った{n}人だけに届ける必要があります。配信対象をもう一度確認してください。",
    ),
    // Held steps.
    (
        "revision {r} was held at its send time and sends nothing until the scenario is activated again:",
        "第{r}版は送信時に保留され、シナリオをもう一度開始するまで配信しません。",
    ),
    // Notifications.
    (
        "A release was held at its send time",
        "送信時に配信が保留された",
    ),
    (
        "A step message was held at its send time",
        "送信時にステップ配信が保留された",
    ),
    ("An admin added a tester", "管理者がテスターを追加した"),
    (
        "“{title}” was held at its send time and nothing was sent: {reason}",
        "「{title}」は送信時に保留され、何も送信されていません: {reason}",
    ),
    (
        "The step message “{title}” was held at its send time and nothing was sent: {reason}",
        "ステップ配信「{title}」は送信時に保留され、何も送信されていません: {reason}",
    ),
    (
        "An admin made {title}'s phone ({owner}) a tester.",
        "管理者が{title}（{owner}さんのスマートフォン）をテスターにしました。",
    ),
    // The audit log.
    ("release.held", "送信時に配信を保留"),
    ("scenario.step_held", "送信時にステップを保留"),
    ("tester.paired", "テスターを登録"),
    ("tester.pairing_refused", "テスターの登録を拒否"),
    ("tester.pairing_started", "テスター登録コードを発行"),
];
