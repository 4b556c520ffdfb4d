// The SPARQL editor (YASGUI, vendored in static/vendor/yasgui/) over the plain query form of /sparql.
// Without JavaScript, or if YASGUI fails to load, the form stays and works as before.
// The graph's prefixes are declared in the query as soon as it uses one; results show as a table with downloads.
(function () {
  "use strict";
  var holder = document.getElementById("editor");
  var form = document.getElementById("sparql-form");
  if (!holder || !form || typeof window.Yasgui === "undefined") {
    return;
  }
  var Yasgui = window.Yasgui.default || window.Yasgui.Yasgui || window.Yasgui;
  var known = JSON.parse(holder.getAttribute("data-prefixes") || "{}");
  var endpoint = new URL(holder.getAttribute("data-endpoint"), window.location.href).href;
  var textarea = document.getElementById("query");
  var yasgui;

  // The endpoint's own words for a refused query ("missing }: the { opened on line 2 is never closed.").
  function showError(error) {
    var box = document.createElement("p");
    box.className = "error";
    box.setAttribute("role", "alert");
    box.textContent = (error && (error.text || error.statusText)) || String(error);
    return Promise.resolve(box);
  }
  // Each tab makes its own results view with Yasr's default error renderers: ours goes there.
  var Yasr = Yasgui.Yasr || window.Yasgui.Yasr;
  if (Yasr && Yasr.defaults) {
    Yasr.defaults.errorRenderers = [showError];
  }
  // The words YASGUI lets a page set, in the page's language (web/pages/sparql.py editor_words): the results
  // table's language (DataTables'), given through the table plugin's own defaults; its other words have no setting.
  var words = JSON.parse(holder.getAttribute("data-words") || "{}");
  var table = Yasr && Yasr.plugins && Yasr.plugins.table;
  if (table && table.defaults && table.defaults.tableConfig && words.table) {
    var language = table.defaults.tableConfig.language || {};
    table.defaults.tableConfig.language = Object.assign({}, language, words.table, { paginate: language.paginate });
  }
  try {
    yasgui = new Yasgui(holder, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      tabName: words.tabName || "Query",
      persistenceId: null,
      populateFromUrl: false,
      autofocus: false,
      yasqe: { value: textarea.value, prefixCcApi: null, resizeable: true, editorHeight: "320px" },
      yasr: { prefixes: known, persistenceId: null, defaultPlugin: "table" },
    });
  } catch (error) {
    return; // the plain form stays
  }
  form.classList.add("replaced");
  holder.hidden = false;

  function declareKnownPrefixes(yasqe) {
    var declared = yasqe.getPrefixesFromQuery();
    var text = yasqe.getValueWithoutComments();
    var missing = {};
    Object.keys(known).forEach(function (prefix) {
      if (declared[prefix] === undefined && new RegExp("(^|[^\\w?$:.-])" + prefix + ":").test(text)) {
        missing[prefix] = known[prefix];
      }
    });
    if (Object.keys(missing).length) {
      yasqe.addPrefixes(missing);
    }
  }

  function downloadLinks(tab) {
    var box = document.getElementById("downloads");
    if (!box) {
      return;
    }
    var query = tab.getYasqe().getValue();
    box.querySelectorAll("a[data-format]").forEach(function (link) {
      var params = new URLSearchParams({ query: query, format: link.getAttribute("data-format") });
      link.href = form.getAttribute("action") + "?" + params.toString();
    });
    box.hidden = false;
  }

  function watch(tab) {
    var yasqe = tab.getYasqe();
    var input = yasqe.getInputField && yasqe.getInputField();
    if (input) {
      input.setAttribute("aria-label", holder.getAttribute("data-label") || "SPARQL");
    }
    var timer = null;
    yasqe.on("change", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { declareKnownPrefixes(yasqe); }, 400);
    });
    declareKnownPrefixes(yasqe);
  }

  var tab = yasgui.getTab();
  if (tab) {
    tab.getYasqe().setValue(textarea.value);
    watch(tab);
  }
  yasgui.on("tabAdd", function (instance, id) {
    var added = instance.getTab(id);
    if (added && added.getYasqe()) {
      watch(added);
    }
  });
  yasgui.on("queryBefore", function (instance, current) {
    declareKnownPrefixes(current.getYasqe());
  });
  yasgui.on("queryResponse", function (instance, current) {
    downloadLinks(current);
  });
  // The results table's page-size picker has no label of its own: give it one whenever the table is drawn.
  new MutationObserver(function () {
    holder.querySelectorAll("select.tableSizer:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", holder.getAttribute("data-rows-label") || "Rows per page");
    });
  }).observe(holder, { childList: true, subtree: true });
  // The examples load into the editor's current tab instead of reloading the page.
  document.querySelectorAll("a[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var source = document.getElementById("example-" + link.getAttribute("data-example"));
      var current = yasgui.getTab();
      if (!source || !current) {
        return;
      }
      event.preventDefault();
      current.getYasqe().setValue(source.textContent);
      holder.scrollIntoView();
    });
  });
})();
