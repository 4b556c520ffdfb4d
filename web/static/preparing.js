// "Being prepared" (web/preparing.py): reload the page once the server's Retry-After has passed. A script rather
// than <meta http-equiv="refresh">, which axe-core and WCAG 2.2.1 count as a timed refresh the reader cannot stop;
// without JavaScript the page's "Reload now" link does the same.
(function () {
  var status = document.querySelector("[data-reload-seconds]");
  if (!status) return;
  var seconds = parseInt(status.getAttribute("data-reload-seconds"), 10) || 2;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
