/* Definition links (/definities#def-...): the page is drawn after the browser looked for the anchor,
   so scroll to it (and move the focus there) once it appears. Served locally like all assets. */
(function () {
  var done = null;
  function jump() {
    var hash = window.location.hash;
    if (!hash || hash === done) { return; }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) { return; }
    done = hash;
    target.scrollIntoView({block: "start"});
    if (target.focus) { target.focus({preventScroll: true}); }
  }
  function reset() { done = null; jump(); }
  window.addEventListener("hashchange", reset);
  window.addEventListener("popstate", reset);
  window.addEventListener("_dashprivate_pushstate", function () { setTimeout(reset, 0); });
  new MutationObserver(jump).observe(document.documentElement, {childList: true, subtree: true});
})();
