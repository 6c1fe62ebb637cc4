/* The controls of a page are a plain GET form: without script the browser loads the page for the new
   query string. With script, the new view is laid out in place: the URL changes through the history,
   as a dcc.Link does, and Dash's page router lays the page out for the new query string, so the
   document, its scripts and the shell stay (issue 18: a reload cost most of the wait). The URL stays
   the page's state: a shared link, a reload and the back button give the same view. */
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("controls")) { return; }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "get") { return; }
    var url = new URL(form.getAttribute("action") || window.location.pathname, window.location.href);
    if (url.origin !== window.location.origin) { return; }
    event.preventDefault();
    // The same query string the browser would send (FormData in document order, empty values kept).
    url.search = new URLSearchParams(new FormData(form)).toString();
    var next = url.pathname + url.search;
    if (next !== window.location.pathname + window.location.search) {
      window.history.pushState({}, "", next);
      window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    }
  });
})();
