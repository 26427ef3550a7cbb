// "Add over SSH": posts the form, then follows the bootstrap's steps live. When the host is new, the page shows
// its key and a button that posts the same form again with that key accepted; nothing typed is lost.
import { csrf } from "./csrf.js";
import { refresh, watch } from "./live.js";

export function start() {
  const form = document.querySelector('form[data-module="bootstrap"]');
  const progress = document.querySelector("[data-bootstrap-progress]");
  if (!form || !progress) return;

  async function submit() {
    progress.innerHTML = '<p role="status">Starting…</p>';
    const response = await fetch(form.action, {
      method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json", "X-CSRF-Token": csrf() },
    });
    const body = await response.json().catch(() => ({ error: { code: "internal", message: "The controller sent no answer." } }));
    if (!response.ok) {
      const problem = document.createElement("p");
      problem.className = "field-error";
      problem.setAttribute("role", "alert");
      problem.textContent = `${body.error.message} (${body.error.code})`;
      progress.replaceChildren(problem);
      return;
    }
    progress.dataset.live = `/bootstraps/${encodeURIComponent(body.id)}?fragment=live`;
    progress.dataset.liveOn = "bootstrap. device.";
    watch(progress);
    refresh(progress);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  progress.addEventListener("click", (event) => {
    const button = event.target.closest("[data-accept-key]");
    if (!button) return;
    form.elements.acceptHostKey.value = button.dataset.acceptKey;
    submit();
  });
}
