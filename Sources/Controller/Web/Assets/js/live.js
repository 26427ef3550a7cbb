// Live regions: one WebSocket to /ui/events; each [data-live] region names the event types it follows
// (data-live-on="device. deployment.") and is fetched again from the server, rendered there, when one arrives.
import { signInAgain } from "./csrf.js";

const regions = new Set();
const status = () => document.getElementById("live-status");

export function startLive() {
  for (const region of document.querySelectorAll("[data-live]")) watch(region);
  if (regions.size > 0) connect(500);
}

// Follows a region from now on (the add-device page adds its progress once a bootstrap starts).
export function watch(region) {
  regions.add(region);
  if (region.hasAttribute("data-live-load")) refresh(region);
}

function source(region) {
  const url = new URL(region.dataset.live, location.href);
  if (region.hasAttribute("data-live-query")) {
    for (const [key, value] of new URLSearchParams(location.search)) url.searchParams.set(key, value);
  }
  return url.pathname + url.search;
}

function follows(region, event) {
  const kinds = (region.dataset.liveOn ?? "").split(" ").filter(Boolean);
  if (!kinds.some((kind) => event.type.startsWith(kind))) return false;
  const deployment = region.dataset.liveDeployment;
  if (deployment && event.deployment && event.deployment.deployment !== deployment) return false;
  return true;
}

function connect(delay) {
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ui/events`);
  socket.addEventListener("open", () => {
    delay = 500;
    if (status()) status().textContent = "";
  });
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    for (const region of regions) if (follows(region, event)) schedule(region);
  });
  socket.addEventListener("close", () => {
    if (status()) status().textContent = "Live updates paused: reconnecting…";
    setTimeout(() => checkSession().then(() => connect(Math.min(delay * 2, 10000))), delay);
  });
}

// Several events in a burst cost one fetch: the region is fetched at most every 250 ms.
const timers = new Map();
function schedule(region) {
  if (timers.has(region)) return;
  timers.set(region, setTimeout(() => {
    timers.delete(region);
    refresh(region);
  }, 250));
}

async function checkSession() {
  const response = await fetch("/?fragment=live", { redirect: "manual", credentials: "same-origin" }).catch(() => null);
  if (response && (response.type === "opaqueredirect" || response.status === 401)) signInAgain();
}

export async function refresh(region) {
  const response = await fetch(source(region), { redirect: "manual", credentials: "same-origin", headers: { Accept: "text/html" } }).catch(() => null);
  if (!response) return;
  if (response.type === "opaqueredirect" || response.status === 401) return signInAgain();
  const text = await response.text();
  if (!response.ok) {
    if (status()) status().textContent = "Could not refresh this page's live part; it shows what it showed before.";
    return;
  }
  // Keep keyboard focus where it was when the element is still there after the swap.
  const focused = region.contains(document.activeElement) ? document.activeElement : null;
  const key = focused && (focused.id ? `#${CSS.escape(focused.id)}` : focused.getAttribute("href") ? `[href="${CSS.escape(focused.getAttribute("href"))}"]` : null);
  region.innerHTML = text;
  if (key) region.querySelector(key)?.focus();
  document.documentElement.dataset.liveAt = String(Date.now());
  region.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
}
