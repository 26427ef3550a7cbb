// Draws the history charts with Debian's Chart.js when it is installed; the server's SVG stays otherwise.
const labels = { percent: (v) => `${Math.round(v)} %`, celsius: (v) => `${Math.round(v)} °C`, bytes: bytes, bytes_per_second: (v) => `${bytes(v)}/s` };

// Powers of 1024, as the server's pages, the scheduler's reasons and the CLI count them.
function bytes(value) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function start() {
  if (!window.Chart) return;
  const style = getComputedStyle(document.documentElement);
  const accent = style.getPropertyValue("--accent").trim(), muted = style.getPropertyValue("--muted").trim();
  for (const figure of document.querySelectorAll("figure[data-chart]")) {
    const data = JSON.parse(figure.dataset.chart);
    if (data.points.length === 0) continue;
    // Chart.js sizes a responsive chart by its container, which must have a height of its own.
    const box = document.createElement("div");
    box.className = "chart-box";
    const canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", figure.querySelector("svg").getAttribute("aria-label"));
    box.append(canvas);
    figure.insertBefore(box, figure.querySelector("svg"));
    const format = labels[data.unit] ?? String;
    // A few points (a device added minutes ago) are drawn as dots, or they would not show at all.
    const pointRadius = data.points.length < 30 ? 2 : 0;
    new window.Chart(canvas, {
      type: "line",
      data: { datasets: [
        { label: "average", data: data.points.map((p) => ({ x: p[0], y: p[1] })), borderColor: accent, backgroundColor: accent, pointRadius, borderWidth: 2 },
        { label: "maximum", data: data.points.map((p) => ({ x: p[0], y: p[2] })), borderColor: muted, backgroundColor: muted, pointRadius, borderWidth: 1, borderDash: [3, 3] },
      ] },
      options: {
        parsing: false, animation: false, maintainAspectRatio: false, plugins: { legend: { display: false },
          tooltip: { callbacks: { title: (items) => new Date(items[0].parsed.x).toLocaleString(), label: (item) => `${item.dataset.label} ${format(item.parsed.y)}` } } },
        scales: {
          x: { type: "linear", min: data.start, max: data.end, ticks: { maxTicksLimit: 5, callback: (v) => new Date(v).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) } },
          y: { min: 0, max: data.top, ticks: { maxTicksLimit: 4, callback: format } },
        },
      },
    });
    figure.classList.add("drawn");
  }
}
