// Draws the links between devices (a component using one on another device) over the map's grouped boxes.
const ns = "http://www.w3.org/2000/svg";

function draw() {
  const topology = document.querySelector(".topology");
  const svg = topology?.querySelector("svg.links");
  if (!svg) return;
  const origin = topology.getBoundingClientRect();
  const lines = [];
  for (const link of document.querySelectorAll("[data-link-from][data-link-to]")) {
    const from = topology.querySelector(`.device-card[data-device="${CSS.escape(link.dataset.linkFrom)}"]`);
    const to = topology.querySelector(`.device-card[data-device="${CSS.escape(link.dataset.linkTo)}"]`);
    if (!from || !to) continue;
    const a = from.getBoundingClientRect(), b = to.getBoundingClientRect();
    const line = document.createElementNS(ns, "line");
    line.setAttribute("x1", a.left + a.width / 2 - origin.left);
    line.setAttribute("y1", a.top + a.height / 2 - origin.top);
    line.setAttribute("x2", b.left + b.width / 2 - origin.left);
    line.setAttribute("y2", b.top + b.height / 2 - origin.top);
    lines.push(line);
  }
  svg.replaceChildren(...lines);
}

export function start() {
  draw();
  addEventListener("resize", draw);
  document.addEventListener("live:updated", draw);
}
