// Progressive enhancement only: every page works without this script.

// Buttons with data-confirm ask before submitting.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset ? button.dataset.confirm : null;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Draft editor: show only the fields of each message's type, and count text as LINE does
// (UTF-16 code units, which is what String.length counts).
function showKindFields(block) {
  const select = block.querySelector("select.msg-kind");
  if (!select) return;
  block.dataset.kind = select.value;
  block.querySelectorAll(".kind-fields").forEach((fields) => {
    fields.hidden = fields.dataset.for !== select.value;
  });
}

function updateCounter(textarea) {
  const counter = document.getElementById(textarea.getAttribute("aria-describedby"));
  if (!counter) return;
  const units = textarea.value.replace(/\r\n/g, "\n").length;
  counter.querySelector(".count").textContent = units.toLocaleString();
  counter.classList.toggle("over", units > 5000);
}

document.querySelectorAll(".message-block").forEach((block) => {
  showKindFields(block);
  block.querySelector("select.msg-kind")?.addEventListener("change", () => showKindFields(block));
});
document.querySelectorAll("textarea.counted").forEach((textarea) => {
  updateCounter(textarea);
  textarea.addEventListener("input", () => updateCounter(textarea));
});

// Segment editor: a live count of matching friends while the rules are edited.
const segmentForm = document.querySelector("form.segment-form");
if (segmentForm) {
  const out = document.getElementById("live-count");
  let timer = null;
  const refresh = () => {
    const params = new URLSearchParams(new FormData(segmentForm));
    params.delete("action");
    fetch("/segments/count?" + params.toString(), { credentials: "same-origin" })
      .then((r) => r.json())
      .then((body) => {
        if (body.error) {
          out.textContent = body.error;
        } else {
          // The server words it in the page's language.
          out.textContent = body.text;
        }
      })
      .catch(() => {});
  };
  segmentForm.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
}

// A release in its undo window: count the seconds down (the progress and draft pages also
// refresh themselves; the dashboard lists every release still in its window).
document.querySelectorAll("#countdown, .countdown-seconds").forEach((countdown) => {
  let left = Number(countdown.dataset.seconds);
  const tick = () => {
    left = Math.max(0, left - 1);
    countdown.textContent = left.toLocaleString();
    if (left > 0) setTimeout(tick, 1000);
  };
  if (left > 0) setTimeout(tick, 1000);
});

// Draft editor: the LINE-like preview follows what is typed, before saving. The server
// renders the unsaved form with the same renderer as every preview (POST, same-origin, so
// the CSRF check passes); its stylesheet is adopted through the CSS object model, which
// the page's Content-Security-Policy leaves alone, and the markup replaces the preview.
const liveEditor = document.querySelector("form.editor[data-live-preview]");
const livePreview = document.getElementById("editor-preview-body");
if (liveEditor && livePreview) {
  const hint = document.querySelector(".live-preview-hint");
  if (hint) hint.hidden = false;
  const baseSheets = Array.from(document.adoptedStyleSheets || []);
  let timer = null;
  let asked = 0;
  const swap = (html) => {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const sheets = [];
    doc.querySelectorAll("style").forEach((style) => {
      if (typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(style.textContent);
        sheets.push(sheet);
      }
      style.remove();
    });
    if (document.adoptedStyleSheets) document.adoptedStyleSheets = baseSheets.concat(sheets);
    livePreview.replaceChildren(...Array.from(doc.body.childNodes).map((n) => document.adoptNode(n)));
    livePreview.dataset.updated = String(asked);
  };
  const refresh = () => {
    const body = new URLSearchParams(new FormData(liveEditor));
    body.delete("action");
    const mine = ++asked;
    fetch(liveEditor.dataset.livePreview, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body,
    })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        // Only the newest answer counts: a slow older one must not overwrite it.
        if (mine === asked) swap(html);
      })
      .catch(() => {});
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  };
  liveEditor.addEventListener("input", later);
  liveEditor.addEventListener("change", later);
}

// A release that is running (progress page): re-read the page every few seconds and update
// its progress in place; when its state changes, load the page once more and stop.
const follow = document.querySelector("[data-follow]");
if (follow) {
  const every = Number(follow.dataset.follow) * 1000;
  const poll = () => {
    fetch(window.location.href, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        const doc = new DOMParser().parseFromString(html, "text/html");
        const state = (d) => d.getElementById("release-state")?.textContent.trim();
        if (state(doc) !== state(document)) {
          window.location.reload();
          return;
        }
        const fresh = doc.getElementById("release-progress");
        const shown = document.getElementById("release-progress");
        if (fresh && shown && fresh.textContent !== shown.textContent) {
          shown.textContent = fresh.textContent;
        }
        setTimeout(poll, every);
      })
      .catch(() => setTimeout(poll, every));
  };
  setTimeout(poll, every);
}
