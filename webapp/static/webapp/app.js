/* Small behaviours shared by every page; no business rules here (the server decides). */
(function () {
  "use strict";

  function csrf() { return document.body.dataset.csrf || ""; }
  window.schedulerCsrf = csrf;

  // Workspace switcher: submit on change (the Switch button stays for keyboard and no-JS users).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) { event.target.form.submit(); }
  });

  // Forms (or one of their buttons) that ask before destroying or sending something. A form whose
  // live check (the composer's hx-post) is in flight is sent once the check answers: leaving the page
  // would abort it, which htmx reports as an error; and no check starts once the form is on its way.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm;
    if (question && !form.dataset.confirmed && !window.confirm(question)) { event.preventDefault(); return; }
    if (form.classList.contains("htmx-request") && !form.dataset.sending) {
      event.preventDefault();
      var submitter = event.submitter;
      var send = function () {
        if (form.dataset.sending) { return; }
        form.dataset.confirmed = "1"; form.dataset.sending = "1";
        form.requestSubmit(submitter);
      };
      form.addEventListener("htmx:afterRequest", send, { once: true });
      window.setTimeout(send, 3000);
      return;
    }
    form.dataset.sending = "1";
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.dataset && event.target.dataset.sending) { event.preventDefault(); }
  });
  window.addEventListener("pageshow", function () {  // back to a page kept in memory: it may be sent again
    document.querySelectorAll("form[data-sending]").forEach(function (f) { delete f.dataset.sending; delete f.dataset.confirmed; });
  });

  // Composer tabs: the main text plus one tab per chosen account.
  function setupTabs(root) {
    var tablist = root.querySelector("[data-tabs]");
    if (!tablist) { return; }
    var form = tablist.closest("form");
    var tabs = Array.prototype.slice.call(tablist.querySelectorAll("[role=tab]"));
    function select(tab) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      });
    }
    function chosen(accountId) {
      var box = form.querySelector('input[name="accounts"][value="' + accountId + '"]');
      return box && box.checked;
    }
    function refresh() {
      var current = tabs.filter(function (t) { return t.getAttribute("aria-selected") === "true"; })[0];
      tabs.forEach(function (t) { if (t.dataset.account) { t.hidden = !chosen(t.dataset.account); } });
      if (!current || current.hidden) { current = tabs[0]; }
      select(current);
    }
    tabs.forEach(function (t) { t.addEventListener("click", function () { select(t); }); });
    tablist.addEventListener("keydown", function (event) {
      var visible = tabs.filter(function (t) { return !t.hidden; });
      var i = visible.indexOf(document.activeElement);
      if (i < 0) { return; }
      if (event.key === "ArrowRight") { i = (i + 1) % visible.length; } else if (event.key === "ArrowLeft") { i = (i - 1 + visible.length) % visible.length; } else { return; }
      event.preventDefault(); select(visible[i]); visible[i].focus();
    });
    form.addEventListener("change", function (event) { if (event.target.name === "accounts") { refresh(); } });
    refresh();
  }

  // The composer's suggested time follows the accounts picked (the live check's answer names it in
  // X-Suggested-Time) until the time shown is no longer the one suggested: the person set their own.
  document.addEventListener("htmx:afterRequest", function (event) {
    var field = event.target.querySelector && event.target.querySelector("input[data-follow-suggestion]");
    if (!field) { return; }
    if (field.value !== field.dataset.followSuggestion) { field.removeAttribute("data-follow-suggestion"); return; }
    var at = event.detail.xhr && event.detail.successful && event.detail.xhr.getResponseHeader("X-Suggested-Time");
    if (at) { field.value = at; field.dataset.followSuggestion = at; }
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches("input[data-follow-suggestion]")) { event.target.removeAttribute("data-follow-suggestion"); }
  });

  // Panels (the calendar's post panel) close with their button or Escape.
  document.addEventListener("click", function (event) {
    if (event.target.matches("[data-close-panel]")) { event.target.closest(".panel").hidden = true; }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { document.querySelectorAll(".panel").forEach(function (p) { p.hidden = true; }); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    setupTabs(document);
    document.querySelectorAll("input[data-follow-suggestion]").forEach(function (f) { f.dataset.followSuggestion = f.value; });
  });
})();
