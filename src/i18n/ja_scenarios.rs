//! Japanese for step scenarios (ステップ配信): English text (the key) and its Japanese.

pub static ENTRIES: &[(&str, &str)] = &[
    ("Scenarios", "ステップ配信"),
    ("Held step messages", "保留中のステップメッセージ"),
    (
        "(messages a step held while its edited revision waited for re-approval)",
        "（編集した版の再承認を待つ間にステップが保留したメッセージ）",
    ),
    (
        "Send after re-activation if still within 24 hours of their due time",
        "再有効化後、予定時刻から24時間以内なら送信する",
    ),
    ("Skip them", "送信しない"),
    // The scenario list and the new scenario form.
    ("Step scenarios", "ステップ配信"),
    ("Step scenarios (ステップ配信)", "ステップ配信"),
    (
        "A scenario sends its steps to each friend a set time after they were added. Activating it is its release: every step must be approved and test-sent first.",
        "シナリオは、友だち追加から決まった時間が経つと各ステップを友だちに送ります。シナリオの有効化が配信にあたるため、先にすべてのステップを承認し、テスト送信しておく必要があります。",
    ),
    ("Trigger", "開始条件"),
    ("No scenarios yet.", "シナリオはまだありません。"),
    ("New scenario", "新しいシナリオ"),
    ("Starts when", "開始条件"),
    ("Create scenario", "シナリオを作成"),
    (
        "A friend was added for the first time (not an unblock)",
        "初めての友だち追加（ブロック解除は含まない）",
    ),
    (
        "A friend was added or unblocked (a friend already in it is not restarted)",
        "友だち追加またはブロック解除（すでに参加中の友だちは最初からやり直さない）",
    ),
    (
        "A friend was added or unblocked, restarting it",
        "友だち追加またはブロック解除（最初からやり直す）",
    ),
    // Scenario states.
    ("paused", "一時停止中"),
    ("deactivated", "停止済み"),
    // A scenario's page.
    ("Friends in it", "参加中の友だち"),
    ("Steps", "ステップ"),
    ("Step", "ステップ"),
    ("Due soon", "まもなく送信"),
    ("Held", "保留"),
    ("Skipped", "スキップ"),
    (
        "Held: friends who reached a step while it was paused or waiting for its edited revision to be approved, tested and re-activated. The release policy says whether they still get it.",
        "保留: シナリオの一時停止中、または編集した版の承認・テスト・再有効化を待つ間にステップに達した友だちです。後から送るかどうかは配信ポリシーで決まります。",
    ),
    ("not activated yet", "まだ有効化されていません"),
    ("revision {r} is live", "第{r}版を配信中"),
    (
        "revision {r} was approved; revision {current} waits for approval, a test and re-activation, so this step is not sending",
        "第{r}版は承認済みですが、第{current}版が承認・テスト・再有効化を待っているため、このステップは送信していません",
    ),
    ("as soon as the friend is added", "友だち追加の直後"),
    (
        "{m} minutes after the friend is added",
        "友だち追加から{m}分後",
    ),
    ("day {days} at {time}", "{days}日目の{time}"),
    ("Add a step", "ステップを追加"),
    ("Add step", "ステップを追加"),
    (
        "The step was not added. Please check the highlighted fields.",
        "ステップは追加されていません。強調表示された項目を確認してください。",
    ),
    ("Days after the friend was added", "友だち追加からの日数"),
    ("(0 to 365)", "（0〜365）"),
    (
        "Day 0: minutes after the add",
        "0日目: 友だち追加からの分数",
    ),
    (
        "Day 1 and later: time of day (account time zone)",
        "1日目以降: 送信時刻（アカウントのタイムゾーン）",
    ),
    // The impact preview.
    ("Impact preview", "影響プレビュー"),
    ("Taken {time} by {name}", "{time}に{name}が取得"),
    (
        "the steps changed since; take a new one",
        "その後ステップが変更されました。取り直してください",
    ),
    (".", "。"),
    ("Next 24 hours", "今後24時間"),
    ("Next 7 days", "今後7日間"),
    ("Next 30 days", "今後30日間"),
    ("Quota: {line}.", "送信通数: {line}。"),
    (
        "about {total} messages in the next 30 days; {left} of {limit} left this month",
        "今後30日間で約{total}通。今月の残りは{limit}通中{left}通",
    ),
    (
        "about {total} messages in the next 30 days; the plan has no monthly limit",
        "今後30日間で約{total}通。プランに月間の上限はありません",
    ),
    (
        "Acknowledged by {who} at {time}.",
        "{time}に{who}が確認しました。",
    ),
    (
        "I read this impact preview",
        "この影響プレビューを確認しました",
    ),
    ("No impact preview yet.", "影響プレビューはまだありません。"),
    ("Take an impact preview", "影響プレビューを取得"),
    // Running it.
    ("Run it", "運用"),
    ("Activate…", "有効化…"),
    ("Pause", "一時停止"),
    ("Resume", "再開"),
    ("Deactivate", "停止"),
    // The activation page.
    ("Activate {name}", "{name}を有効化"),
    ("Activate “{name}”", "「{name}」を有効化"),
    ("Every step's current revision", "各ステップの最新の版"),
    (
        "Not green? Fix the step on its draft page: approvals, no open objection, a confirmed test send, no content errors.",
        "問題があるステップは、その下書きページで直してください: 承認、未解決の異議がないこと、確認済みのテスト送信、内容のエラーがないこと。",
    ),
    (
        "I read the warning above: step messages cannot be taken back.",
        "上の注意を読みました: ステップメッセージは取り消せません。",
    ),
    (
        "Type the scenario's name, {name}, to confirm",
        "確認のため、シナリオ名{name}を入力してください",
    ),
    (
        "Activate — every step it sends cannot be retracted",
        "有効化する — 送信されるステップはすべて取り消せません",
    ),
    ("Step {n}: {message}", "ステップ{n}: {message}"),
    (
        "Not activated. {reasons}",
        "有効化されていません。{reasons}",
    ),
    ("Impact preview: {problem}", "影響プレビュー: {problem}"),
    // Flashes.
    (
        "Scenario created. Add its steps.",
        "シナリオを作成しました。ステップを追加してください。",
    ),
    (
        "Step added as draft {draft}: submit it for review, then test-send it.",
        "ステップを下書き{draft}として追加しました。レビューに出してから、テスト送信してください。",
    ),
    (
        "Impact preview taken. Read it, then acknowledge it.",
        "影響プレビューを取得しました。内容を読んでから確認済みにしてください。",
    ),
    (
        "Impact preview acknowledged.",
        "影響プレビューを確認済みにしました。",
    ),
    (
        "Activated. Step messages cannot be taken back once sent.",
        "有効化しました。ステップメッセージは送信後に取り消せません。",
    ),
    (
        "Paused. Friends who reach a step meanwhile are held.",
        "一時停止しました。その間にステップに達した友だちへのメッセージは保留されます。",
    ),
    ("Resumed.", "再開しました。"),
    (
        "Deactivated. Nothing more is sent from this scenario.",
        "停止しました。このシナリオからはもう何も送信されません。",
    ),
    // Field errors and refusals.
    (
        "Give the scenario a name of 1 to {n} characters.",
        "シナリオ名は1〜{n}文字で付けてください。",
    ),
    (
        "Choose what starts the scenario.",
        "シナリオの開始条件を選んでください。",
    ),
    (
        "A scenario with this name exists already; choose another name.",
        "同じ名前のシナリオがすでにあります。別の名前にしてください。",
    ),
    (
        "The delay must be a whole number of days from 0 to {n}.",
        "日数は0〜{n}の整数で指定してください。",
    ),
    (
        "On day 0 a step is sent a number of minutes after the friend was added: 0 to 1439.",
        "0日目のステップは、友だち追加から指定した分数の後に送信されます（0〜1439）。",
    ),
    (
        "From day 1 on a step is sent at a time of day: enter it as HH:MM, for example 10:00.",
        "1日目以降のステップは指定した時刻に送信されます。HH:MM形式で入力してください（例: 10:00）。",
    ),
    (
        "Steps can be added only before the scenario is first activated; edit a step's message instead.",
        "ステップを追加できるのは、シナリオを初めて有効化する前だけです。代わりにステップのメッセージを編集してください。",
    ),
    (
        "This scenario was deactivated.",
        "このシナリオは停止済みです。",
    ),
    (
        "Add a step before taking an impact preview.",
        "影響プレビューを取得する前にステップを追加してください。",
    ),
    (
        "This preview was already acknowledged or does not belong to this scenario.",
        "このプレビューはすでに確認済みか、このシナリオのものではありません。",
    ),
    (
        "This scenario was deactivated; it cannot change any more.",
        "このシナリオは停止済みのため、これ以上変更できません。",
    ),
    (
        "This scenario was never activated.",
        "このシナリオは一度も有効化されていません。",
    ),
    (
        "This scenario is already running.",
        "このシナリオはすでに配信中です。",
    ),
    (
        "This scenario is already paused.",
        "このシナリオはすでに一時停止中です。",
    ),
    (
        "This scenario was deactivated; it cannot be activated again.",
        "このシナリオは停止済みのため、再び有効化できません。",
    ),
    (
        "Add at least one step first.",
        "先にステップを1つ以上追加してください。",
    ),
    (
        "Confirm that you read that step messages cannot be taken back.",
        "ステップメッセージは取り消せないという注意を読んだことを確認してください。",
    ),
    (
        "Type the scenario's name exactly ({name}) to activate it.",
        "有効化するには、シナリオ名（{name}）を正確に入力してください。",
    ),
    (
        "Take an impact preview and acknowledge it.",
        "影響プレビューを取得して確認済みにしてください。",
    ),
    (
        "The steps changed since the preview; take a new one.",
        "プレビューの後でステップが変更されました。取り直してください。",
    ),
    (
        "The preview is too old; take a new one.",
        "プレビューが古くなっています。取り直してください。",
    ),
    (
        "Acknowledge the preview.",
        "プレビューを確認済みにしてください。",
    ),
    (
        "A step message is not released on its own: it is sent by its scenario once the scenario is activated; activate its scenario at /scenarios/{id}.",
        "ステップメッセージは単独では配信されず、シナリオを有効化するとシナリオから送信されます。/scenarios/{id}でシナリオを有効化してください。",
    ),
    (
        "A step message is not released on its own: it is sent by its scenario once the scenario is activated; add it to a scenario at /scenarios.",
        "ステップメッセージは単独では配信されず、シナリオを有効化するとシナリオから送信されます。/scenariosでシナリオに追加してください。",
    ),
    // A friend's page: where they are in each scenario.
    ("Entered {time}, round {n}.", "{time}に開始（{n}回目）。"),
    ("Entered {time}.", "{time}に開始。"),
    (
        "No step has come due yet.",
        "まだ予定時刻を迎えたステップはありません。",
    ),
    ("Step {n}", "ステップ{n}"),
    ("due {time}", "予定: {time}"),
    ("Not in any scenario.", "どのシナリオにも入っていません。"),
    ("held", "保留"),
    ("skipped", "スキップ"),
    ("blocked the account", "アカウントをブロックしました"),
    ("outside the step's segment", "ステップのセグメント外です"),
    (
        "blocked the account while held",
        "保留中にアカウントをブロックしました",
    ),
    (
        "held past the policy's limit",
        "ポリシーの期限を過ぎて保留されていました",
    ),
    ("the scenario was deactivated", "シナリオが停止されました"),
    // A step draft's page.
    ("This step's scenario", "このステップのシナリオ"),
    (
        "Every gate item is green for this revision; its scenario's activation sends it.",
        "この版の配信前チェックの項目はすべて満たされています。シナリオを有効化すると送信されます。",
    ),
    (
        "Not ready for its scenario's activation. Missing: {items}.",
        "シナリオを有効化する準備ができていません。未完了: {items}。",
    ),
];
