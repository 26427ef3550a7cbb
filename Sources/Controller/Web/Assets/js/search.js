// The catalog's search as you type: the server filters (as GET /v1/recipes does) and renders the results.
export function start() {
  const form = document.querySelector('form[data-module="search"]');
  const results = document.querySelector("[data-search-results]");
  if (!form || !results) return;
  let timer = null;
  const update = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const query = new URLSearchParams(new FormData(form));
      history.replaceState(null, "", `/catalog?${query}`);
      query.set("fragment", "results");
      const response = await fetch(`/catalog?${query}`, { credentials: "same-origin" });
      if (response.ok) results.innerHTML = await response.text();
    }, 250);
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
}
