// Progressive enhancement only: every page works without this script.
// Buttons with data-confirm ask before submitting.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset ? button.dataset.confirm : null;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
