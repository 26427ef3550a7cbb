// An app's logs over a WebSocket (/ui/apps/NAME/logs): the last 200 lines, and with "Follow" every new line.
const maximumLines = 2000;

export function start() {
  const panel = document.querySelector("[data-logs]");
  if (!panel) return;
  const output = panel.querySelector("[data-log-lines]");
  const follow = panel.querySelector("[data-follow]");
  let socket = null;

  function open() {
    socket?.close();
    output.textContent = "";
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${panel.dataset.logs}?tail=200&follow=${follow.checked}`;
    socket = new WebSocket(url);
    socket.addEventListener("message", (message) => {
      const line = JSON.parse(message.data);
      const text = line.error ? `[${line.error.code}] ${line.error.message}` : line.text;
      output.append(document.createTextNode(text.endsWith("\n") ? text : `${text}\n`));
      while (output.childNodes.length > maximumLines) output.firstChild.remove();
      if (follow.checked) output.scrollTop = output.scrollHeight;
    });
    socket.addEventListener("close", () => {
      if (!output.textContent) output.textContent = "No log lines.";
    });
  }

  panel.querySelector("[data-load-logs]").addEventListener("click", open);
  follow.addEventListener("change", () => (follow.checked ? open() : socket?.close()));
}
