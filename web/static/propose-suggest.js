// The proposal form's suggestions as the applicant types (no outside script; the page works without this file:
// the "Suggest from my description" button then posts the form back and the server shows the same choices).
// After a pause in typing, the draft goes to POST /api/suggest with the form's CSRF token; the answer's HTML, made
// by the server from its own template (escaped there), replaces the choices and the list of similar hubs. Boxes the
// applicant ticked are sent along and come back ticked; ticking one only refreshes the similar hubs, so the focus
// stays where it is.
(function () {
  "use strict";
  var form = document.getElementById("proposal");
  var section = document.getElementById("suggestions");
  if (!form || !section || !window.fetch || !window.JSON) {
    return;
  }
  var url = section.getAttribute("data-suggest-url");
  var choices = document.getElementById("suggestion-choices");
  var similar = document.getElementById("similar-hubs");
  var status = document.getElementById("suggestions-status");
  var jump = document.getElementById("suggest-jump");
  var button = document.getElementById("suggest-button");
  var TEXTS = ["name", "description", "theme"];
  var timer = null;
  var controller = null;
  var sent = "";
  var needWhole = false;  // the text changed since the choices were last shown

  function field(name) {
    var found = form.elements.namedItem(name);
    return found && typeof found.value === "string" ? found.value : "";
  }
  function all(selector) {
    return Array.prototype.slice.call(form.querySelectorAll(selector));
  }
  function typed(name) {
    return all('[name="' + name + '"]').map(function (input) { return input.value; })
      .filter(function (value) { return value.trim() !== ""; });
  }
  function ticked(name) {
    return all('input[type="checkbox"][name="' + name + '"]:checked').map(function (box) { return box.value; });
  }
  function draft() {
    return {
      text: field("description"),
      name: field("name"),
      theme: field("theme"),
      sdg_targets: typed("sdg_target"),
      manifestos: ticked("manifesto"),
      policy_councils: ticked("council"),
      section: field("section"),
      country: field("country"),
      start_date: field("start_date"),
      end_date: field("end_date"),
      revise: field("revise"),
      accepted: {
        target: ticked("accept_target"),
        goal: ticked("accept_goal"),
        manifesto: ticked("accept_manifesto"),
        council: ticked("accept_council")
      },
      html: true
    };
  }
  function say(text) {
    status.textContent = text;
    if (jump) {
      jump.hidden = !text;
      jump.querySelector("a").textContent = text ? text + " — " + jump.getAttribute("data-where") : "";
    }
  }

  function hasText() {
    return TEXTS.some(function (name) { return field(name).trim() !== ""; });
  }
  // The choices are replaced only when the text changed; otherwise only the hubs (a box ticked, a target typed).
  function ask() {
    var whole = needWhole;
    var body = draft();
    if (!hasText()) {
      return;
    }
    var payload = JSON.stringify(body);
    if (payload === sent) {
      return;
    }
    sent = payload;
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    section.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": field("csrf")},
      body: payload,
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().then(function (answer) { return {ok: response.ok, answer: answer}; });
    }).then(function (result) {
      section.removeAttribute("aria-busy");
      if (!result.ok) {
        sent = "";
        say(result.answer.error || section.getAttribute("data-failed"));
        return;
      }
      if (whole) {
        choices.innerHTML = result.answer.html.choices;
        needWhole = false;
      }
      similar.innerHTML = result.answer.html.similar;
      say(result.answer.messages.status);
    }).catch(function (error) {
      if (error && error.name === "AbortError") {
        return;
      }
      section.removeAttribute("aria-busy");
      sent = "";
      say(section.getAttribute("data-failed"));
    });
  }
  function later(whole, wait) {
    needWhole = needWhole || whole;
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, wait);
  }

  TEXTS.forEach(function (name) {
    var input = form.elements.namedItem(name);
    if (input && input.addEventListener) {
      input.addEventListener("input", function () { later(true, 600); });
    }
  });
  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (TEXTS.indexOf(name) >= 0) {
      return;
    }
    if (/^(accept_|sdg_target$|manifesto$|council$|section$|country$|start_date$|end_date$)/.test(name || "")) {
      later(false, 150);
    }
  });
  if (button) {
    button.addEventListener("click", function (event) {
      if (!hasText()) {
        return;  // the form goes back to the server, which says what to write
      }
      event.preventDefault();
      sent = "";
      needWhole = true;
      ask();
    });
  }
  if (field("description").trim() !== "" && !choices.querySelector("input")) {
    needWhole = true;
    ask();  // a draft filled in again (a revision, the browser's back button): its suggestions at once
  }
})();
