// Keeps relative times ("2 min ago") true while a page stays open; the absolute time stays in the title.
function relative(date, now) {
  const seconds = (now - date) / 1000;
  const size = Math.abs(seconds);
  if (size < 10) return "just now";
  const words = size < 60 ? `${Math.floor(size)} s` : size < 3600 ? `${Math.floor(size / 60)} min` : size < 86400 ? `${Math.floor(size / 3600)} h`
    : Math.floor(size / 86400) === 1 ? "1 day" : `${Math.floor(size / 86400)} days`;
  return seconds > 0 ? `${words} ago` : `in ${words}`;
}

export function startClock() {
  setInterval(() => {
    const now = Date.now();
    for (const element of document.querySelectorAll("time[datetime]")) element.textContent = relative(Date.parse(element.dateTime), now);
  }, 30000);
}
