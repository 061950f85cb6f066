//! Japanese for rich messages (issue #17): the LINE-like previews, where every tap leads,
//! the card and rich message builders, images stored in sendgate, and the problems LINE's
//! schema and the link checks find. Words as LINE Official Account Manager uses them:
//! カードタイプメッセージ, リッチメッセージ, 吹き出し, 通知・トークリストに表示されるテキスト.

pub static ENTRIES: &[(&str, &str)] = &[
    // Navigation and the image library.
    ("Images", "画像"),
    (
        "Images uploaded here are stored in sendgate under a fingerprint of their bytes, so an approved message shows exactly the image its reviewers saw. Use them in the card and rich message builders of the draft editor.",
        "ここにアップロードした画像は、内容の指紋で sendgate に保存されます。承認されたメッセージには、確認者が見た画像がそのまま表示されます。下書きの編集画面のカードタイプメッセージやリッチメッセージで使えます。",
    ),
    ("Image file", "画像ファイル"),
    ("(JPEG or PNG, up to 10 MB)", "（JPEGまたはPNG、10MBまで）"),
    ("Upload", "アップロード"),
    (
        "No images uploaded yet.",
        "まだ画像がアップロードされていません。",
    ),
    ("No images uploaded yet", "画像がまだありません"),
    ("Addresses for LINE JSON", "LINEのJSONで使うURL"),
    (
        "Image (originalContentUrl) and rich message (baseUrl):",
        "画像（originalContentUrl）とリッチメッセージ（baseUrl）:",
    ),
    (
        "Card image (700 pixels wide):",
        "カードの画像（幅700ピクセル）:",
    ),
    (
        "Preview image (previewImageUrl):",
        "プレビュー画像（previewImageUrl）:",
    ),
    ("Fingerprint", "内容の指紋"),
    (
        "LINE fetches images only over https, but sendgate's public address is {url}. Set SENDGATE_PUBLIC_URL to sendgate's https address before sending messages with these images.",
        "LINEはhttps://で始まるアドレスの画像しか取得しませんが、sendgateの公開アドレスは{url}です。これらの画像を使ったメッセージを配信する前に、SENDGATE_PUBLIC_URLにsendgateのhttps://で始まるアドレスを設定してください。",
    ),
    (
        "Uploaded {name}. Choose it in the card or rich message builder of a draft.",
        "{name}をアップロードしました。下書きのカードタイプメッセージやリッチメッセージで選べます。",
    ),
    (
        "{name} is already stored (the same image was uploaded before).",
        "{name}はすでに保存されています（同じ画像が以前アップロードされています）。",
    ),
    (
        "Choose an image file to upload.",
        "アップロードする画像ファイルを選んでください。",
    ),
    (
        "This file is {n} MB; LINE takes images up to 10 MB.",
        "このファイルは{n}MBあります。LINEで送れる画像は10MBまでです。",
    ),
    (
        "This file is larger than 10 MB; LINE takes images up to 10 MB.",
        "このファイルは10MBを超えています。LINEで送れる画像は10MBまでです。",
    ),
    (
        "This is not a JPEG or PNG image; LINE takes only those two formats.",
        "JPEGまたはPNGの画像ではありません。LINEで送れる画像はこの2つの形式だけです。",
    ),
    (
        "The image could not be read ({e}); save it again as JPEG or PNG and upload it.",
        "画像を読み込めませんでした（{e}）。JPEGまたはPNGで保存し直してからアップロードしてください。",
    ),
    (
        "The image could not be resized ({e}).",
        "画像のサイズを変えられませんでした（{e}）。",
    ),
    (
        "The upload did not arrive whole ({e}); try again.",
        "アップロードが途中で切れました（{e}）。もう一度お試しください。",
    ),
    // The editor: builders and the preview.
    ("An uploaded image", "アップロードした画像"),
    (
        "(fixed after approval; or give the URLs below)",
        "（承認後も変わりません。または下にURLを入力）",
    ),
    ("None: use the URLs below", "なし: 下のURLを使う"),
    ("Card (built here)", "カードタイプメッセージ（ここで作成）"),
    (
        "Rich message (built here)",
        "リッチメッセージ（ここで作成）",
    ),
    (
        "A card-type message (カードタイプメッセージ): an image, a title, a text and up to 3 buttons. It is saved as a standard LINE Flex Message.",
        "カードタイプメッセージ: 画像、タイトル、本文と3つまでのボタン。LINE標準のFlex Messageとして保存されます。",
    ),
    (
        "(from Images; optional)",
        "（「画像」から選択。なくても可）",
    ),
    (
        "No image, or the image URL below",
        "画像なし、または下の画像URL",
    ),
    ("Upload images", "画像をアップロード"),
    ("Or an image URL", "または画像のURL"),
    (
        "(https; its content can change after approval)",
        "（https://で始まるURL。承認後に内容が変わる可能性があります）",
    ),
    ("Card title", "タイトル"),
    ("Card text", "本文"),
    (
        "Notification text (altText)",
        "通知・トークリストに表示されるテキスト（altText）",
    ),
    ("(empty = the title)", "（空欄ならタイトル）"),
    ("Buttons (up to 3)", "ボタン（3つまで）"),
    ("Button {n} label", "ボタン{n}の表示名"),
    ("Tap", "タップしたとき"),
    ("Opens a link", "リンクを開く"),
    ("Sends a message", "メッセージを送る"),
    ("Link or message", "リンク先またはメッセージ"),
    (
        "A rich message (リッチメッセージ): one uploaded image with tap areas that open a link or send a message.",
        "リッチメッセージ: アップロードした画像1枚に、リンクを開くかメッセージを送るタップ領域を付けます。",
    ),
    (
        "(from Images; 1040 pixels wide works best)",
        "（「画像」から選択。幅1,040ピクセルがおすすめ）",
    ),
    ("Choose an image", "画像を選んでください"),
    ("Tap areas", "タップ領域"),
    ("One area (the whole image)", "1つ（画像全体）"),
    ("Two side by side", "2つ（左右）"),
    ("Two, one above the other", "2つ（上下）"),
    ("Three rows", "3つ（上中下）"),
    ("Four (2 × 2)", "4つ（2×2）"),
    ("Six (3 × 2)", "6つ（3×2）"),
    ("My own areas (coordinates)", "自分で指定（座標）"),
    (
        "Areas are numbered left to right, top to bottom. For your own areas, give x, y, width and height in pixels of the image at 1040 pixels wide.",
        "領域は左から右、上から下の順に番号が付きます。自分で指定する場合は、幅1,040ピクセルの画像でのx、y、幅、高さをピクセルで入力してください。",
    ),
    ("What each area does", "各領域のアクション"),
    ("Area {n}", "領域{n}"),
    ("x, y, width, height", "x、y、幅、高さ"),
    ("Area {n} x", "領域{n}のx"),
    ("Area {n} y", "領域{n}のy"),
    ("Area {n} width", "領域{n}の幅"),
    ("Area {n} height", "領域{n}の高さ"),
    ("Show the preview", "プレビューを表示"),
    ("How it looks in LINE", "LINEでの表示"),
    (
        "Write a message, then press “Show the preview”: the messages appear here as LINE shows them.",
        "メッセージを入力して「プレビューを表示」を押すと、LINEでの表示がここに出ます。",
    ),
    (
        "The test send shows it on a real phone; LINE checks it once more before release.",
        "実際のスマートフォンでの表示はテスト配信で確認できます。配信前にLINEがもう一度チェックします。",
    ),
    (
        "Give the card a title.",
        "カードのタイトルを入力してください。",
    ),
    (
        "Button {n} has a label but no link or message.",
        "ボタン{n}に表示名がありますが、リンク先またはメッセージがありません。",
    ),
    (
        "Button {n} has a link or message but no label.",
        "ボタン{n}にリンク先またはメッセージがありますが、表示名がありません。",
    ),
    (
        "Choose an uploaded image for the rich message (upload it under Images first).",
        "リッチメッセージの画像を選んでください（先に「画像」でアップロードしてください）。",
    ),
    (
        "Write the text the notification and the chat list show (altText).",
        "通知とトークリストに表示されるテキスト（altText）を入力してください。",
    ),
    (
        "Area {n}: enter x, y, width and height as whole pixels.",
        "領域{n}: x、y、幅、高さを整数のピクセルで入力してください。",
    ),
    (
        "Area {n} is not inside the image (1040 × {height} pixels).",
        "領域{n}が画像（1,040×{height}ピクセル）からはみ出しています。",
    ),
    (
        "Area {n} needs a link or a message.",
        "領域{n}にリンク先またはメッセージを入力してください。",
    ),
    (
        "Give at least one area a link or a message.",
        "少なくとも1つの領域にリンク先またはメッセージを入力してください。",
    ),
    (
        "That image is not among sendgate's images; choose another.",
        "その画像はsendgateの画像にありません。別の画像を選んでください。",
    ),
    (
        "This message could not be built; open the editor and save it again.",
        "このメッセージを作成できませんでした。編集画面を開いて、もう一度保存してください。",
    ),
    // The previews.
    ("Notification and chat list", "通知・トークリスト"),
    ("Sent a photo.", "写真を送信しました"),
    ("Sent a video.", "動画を送信しました"),
    ("Sent an audio message.", "ボイスメッセージを送信しました"),
    ("Sent a sticker.", "スタンプを送信しました"),
    ("Sent a coupon.", "クーポンを送信しました"),
    (
        "Sent a location: {title}",
        "位置情報を送信しました: {title}",
    ),
    ("Sender icon", "送信者のアイコン"),
    (
        "(sender changed for this message)",
        "（この吹き出しは送信者名を変更）",
    ),
    ("Quick reply", "クイックリプライ"),
    ("{kind} message", "{kind}メッセージ"),
    ("Image in the card", "カードの画像"),
    (
        "Image not shown: not an https:// address",
        "画像を表示できません: https://のアドレスではありません",
    ),
    ("Video preview", "動画のプレビュー"),
    ("Video {url}", "動画 {url}"),
    ("Audio {url}", "音声 {url}"),
    (
        "Shown instead where the video cannot play",
        "動画を再生できない環境での代わりの表示",
    ),
    ("Carousel of {n} bubbles", "{n}枚のカルーセル"),
    (
        "The video plays in its area; the image shows before and after.",
        "動画は指定した領域で再生され、その前後は画像が表示されます。",
    ),
    (
        "Sticker: package {package}, sticker {sticker}",
        "スタンプ: パッケージ{package}、スタンプ{sticker}",
    ),
    (
        "LINE draws the sticker itself; its image cannot be shown here.",
        "スタンプの画像はLINEが表示するため、ここでは表示できません。",
    ),
    ("Coupon", "クーポン"),
    ("Coupon {id}", "クーポン {id}"),
    ("Delivery tag: {tag}", "配信タグ: {tag}"),
    ("Use the coupon", "クーポンを使う"),
    (
        "LINE fills in the coupon's title, image and terms from the coupon itself.",
        "クーポンのタイトル・画像・利用条件は、LINEがクーポンの設定から表示します。",
    ),
    (
        "LINE emoji {product} / {emoji}",
        "LINE絵文字 {product} / {emoji}",
    ),
    ("(their LINE name)", "（相手のLINEの表示名）"),
    (
        "No substitution: LINE refuses this message",
        "置き換え先がありません: LINEはこのメッセージを受け付けません",
    ),
    (
        "nothing: no substitution is given (LINE refuses the message)",
        "なし: 置き換え先が指定されていません（LINEはこのメッセージを受け付けません）",
    ),
    ("a mention of everyone (@All)", "全員へのメンション（@All）"),
    (
        "a mention of the user {user} (LINE shows their name)",
        "ユーザー{user}へのメンション（LINEが相手の表示名を表示）",
    ),
    ("an unknown substitution", "不明な置き換え"),
    // Where every tap leads.
    ("Where every tap leads", "タップしたときの動作"),
    (
        "These messages have no buttons, links or tap areas.",
        "このメッセージにはボタン、リンク、タップ領域がありません。",
    ),
    ("Button or area", "ボタン・領域"),
    ("What a tap does", "タップしたときの動作"),
    ("Images and videos", "画像・動画"),
    ("Address", "URL"),
    ("Video", "動画"),
    ("Audio", "音声"),
    ("Rich message image", "リッチメッセージの画像"),
    (
        "Stored in sendgate: cannot change after approval",
        "sendgateに保存: 承認後に変わりません",
    ),
    (
        "External: can change after approval",
        "外部の画像: 承認後に変わる可能性があります",
    ),
    ("Opens {uri}", "{uri}を開く"),
    (
        "Opens {uri} (on a computer: {desktop})",
        "{uri}を開く（パソコンでは{desktop}）",
    ),
    (
        "Sends “{text}” to the chat and data “{data}” to the account's system",
        "トークに「{text}」を送り、アカウントのシステムにデータ「{data}」を送る",
    ),
    (
        "Sends data “{data}” to the account's system",
        "アカウントのシステムにデータ「{data}」を送る",
    ),
    ("Sends “{text}” to the chat", "トークに「{text}」を送る"),
    (
        "Opens a {mode} picker; sends the choice with data “{data}”",
        "{mode}の選択画面を開き、選んだ値をデータ「{data}」と一緒に送る",
    ),
    ("date", "日付"),
    ("time", "時刻"),
    ("date and time", "日時"),
    ("Opens the camera", "カメラを開く"),
    ("Opens the camera roll", "カメラロールを開く"),
    ("Opens the location picker", "位置情報の選択画面を開く"),
    ("Copies “{text}”", "「{text}」をコピーする"),
    (
        "Switches the rich menu to “{alias}” (data “{data}”)",
        "リッチメニューを「{alias}」に切り替える（データ「{data}」）",
    ),
    ("Unknown action “{kind}”", "不明なアクション「{kind}」"),
    // The diff.
    ("Changed JSON paths:", "変更されたJSONの場所:"),
    // LINE's schema while editing (domain::line_schema).
    ("The message", "メッセージ"),
    (
        "{path} is missing; LINE's message format requires it.",
        "{path}がありません。LINEのメッセージ形式では必須です。",
    ),
    (
        "{path} is {value}; LINE accepts only {options}.",
        "{path}は{value}です。LINEで使えるのは{options}だけです。",
    ),
    (
        "{path} has the wrong type; LINE expects {expected} here.",
        "{path}の値の種類が違います。ここには{expected}が必要です。",
    ),
    ("a string", "文字列"),
    ("a number", "数値"),
    ("a whole number", "整数"),
    ("true or false", "trueまたはfalse"),
    ("an object", "オブジェクト（{...}）"),
    ("a list", "リスト（[...]）"),
    (
        "{path} is empty; LINE needs text here.",
        "{path}が空です。ここには文字が必要です。",
    ),
    (
        "{path} is not accepted by LINE's message format ({detail}).",
        "{path}はLINEのメッセージ形式で受け付けられません（{detail}）。",
    ),
    (
        "emojis[{i}].index is {index}, but character {index} of the text is not a $; LINE puts each emoji where a $ stands (counted from 0 in UTF-16 units).",
        "emojis[{i}].indexは{index}ですが、テキストの{index}文字目は$ではありません。LINE絵文字は$の位置に入ります（0から数え、UTF-16単位）。",
    ),
    (
        "The text uses the placeholder “{name}”, but substitution has no entry for it; add what it becomes (a mention or an emoji), or double the braces to show them.",
        "テキストで置き換え文字「{name}」を使っていますが、substitutionに指定がありません。置き換え先（メンションまたは絵文字）を追加するか、かっこをそのまま表示する場合は二重にしてください。",
    ),
    (
        "baseSize.width is {width}; an imagemap's base width is always 1040 (LINE scales the image and its tap areas from it).",
        "baseSize.widthが{width}です。リッチメッセージの基準の幅は常に1040です（LINEはこれを基準に画像とタップ領域を拡大縮小します）。",
    ),
    (
        "baseSize.height must be the image's height at 1040 pixels wide, above 0.",
        "baseSize.heightには、幅1040ピクセルのときの画像の高さ（0より大きい値）を指定してください。",
    ),
    (
        "{path} ({x}, {y}, {w} × {h}) is not inside the {width} × {height} image; a tap area must lie within the base size.",
        "{path}（{x}, {y}, {w}×{h}）が{width}×{height}の画像からはみ出しています。タップ領域は画像の中に収めてください。",
    ),
    (
        "{path} is {n} bytes of JSON; LINE allows a bubble at most {max} bytes (30 KB).",
        "{path}はJSONで{n}バイトあります。LINEで送れるバブルは{max}バイト（30KB）までです。",
    ),
    (
        "{path} is {n} bytes of JSON; LINE allows a carousel at most {max} bytes (50 KB).",
        "{path}はJSONで{n}バイトあります。LINEで送れるカルーセルは{max}バイト（50KB）までです。",
    ),
    (
        "{path} is {value}; LINE accepts {keywords} or {units}.",
        "{path}は{value}です。LINEで使えるのは{keywords}か{units}です。",
    ),
    ("a size in pixels such as 12px", "12pxのようなピクセル指定"),
    (
        "a size in pixels or percent such as 12px or 5%",
        "12pxや5%のようなピクセル・パーセント指定",
    ),
    (
        "{path} is {ratio}; write width:height such as 20:13, each 1 to 100000, the height at most three times the width.",
        "{path}は{ratio}です。20:13のように「幅:高さ」で、それぞれ1〜100000、高さは幅の3倍までで指定してください。",
    ),
    // The link and media checks (domain::link_checks).
    (
        "The link {uri} runs a script (javascript:), which is never allowed; link to an https:// page.",
        "リンク{uri}はスクリプト（javascript:）を実行するため使えません。https://のページにリンクしてください。",
    ),
    (
        "The link {uri} uses {scheme}:, which LINE does not open; use https://, line:// or tel:.",
        "リンク{uri}は{scheme}:を使っていますが、LINEでは開けません。https://、line://、tel:のいずれかを使ってください。",
    ),
    (
        "The link {uri} has no scheme; write the full address with https://.",
        "リンク{uri}にhttps://などがありません。https://から始まる完全なアドレスを入力してください。",
    ),
    (
        "{path} must start with https://; LINE only fetches images and videos over HTTPS.",
        "{path}はhttps://で始める必要があります。LINEはHTTPSの画像・動画しか取得しません。",
    ),
    (
        "{url} is not stored in sendgate, so what it shows can change after approval; upload the image to sendgate to fix it to what the reviewers saw.",
        "{url}はsendgateに保存された画像ではないため、承認後に内容が変わる可能性があります。確認者が見た画像のまま配信するには、sendgateに画像をアップロードしてください。",
    ),
];
