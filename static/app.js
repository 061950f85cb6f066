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

// A release in its undo window: count the seconds down (the page also refreshes itself).
const countdown = document.getElementById("countdown");
if (countdown) {
  let left = Number(countdown.dataset.seconds);
  const tick = () => {
    left = Math.max(0, left - 1);
    countdown.textContent = left.toLocaleString();
    if (left > 0) setTimeout(tick, 1000);
  };
  if (left > 0) setTimeout(tick, 1000);
}
