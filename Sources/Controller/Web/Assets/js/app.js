// The dashboard's entry module: live regions and relative times everywhere, page modules where a page asks
// for them (data-module="…"). Pages work without it; it only keeps them current and adds conveniences.
import { startLive } from "./live.js";
import { startClock } from "./time.js";

startLive();
startClock();
for (const select of document.querySelectorAll("select[data-autosubmit]")) {
  select.addEventListener("change", () => select.form.submit());
}
const modules = new Set([...document.querySelectorAll("[data-module]")].map((element) => element.dataset.module));
if (document.querySelector("[data-copy]")) modules.add("copy");
for (const name of modules) {
  if (/^[a-z]+$/.test(name)) import(`./${name}.js`).then((module) => module.start());
}
