/* The Assist panel's buttons: put a draft into the composer's field, add a hashtag, take suggested alt
   text. The server wrote and checked the texts; this only moves them into the form. */
(function () {
  "use strict";

  function setField(field, value) {
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));  // the live checks re-run
    field.focus();
  }

  document.addEventListener("click", function (event) {
    var use = event.target.closest("[data-assist-use]");
    if (use) {
      var form = document.getElementById("compose-form");
      var target = use.dataset.assistUse;
      if (target === "main") { setField(form.querySelector('[name="content"]'), use.dataset.text); document.getElementById("tab-main").click(); return; }
      var box = form.querySelector('input[name="accounts"][value="' + target + '"]');
      if (box && !box.checked) { box.checked = true; box.dispatchEvent(new Event("change", { bubbles: true })); }
      var tab = document.getElementById("tab-" + target);
      if (tab) { tab.click(); }
      setField(form.querySelector('[name="variant_' + target + '"]'), use.dataset.text);
      return;
    }
    var tag = event.target.closest("[data-assist-tag]");
    if (tag) {
      var content = document.querySelector('#compose-form [name="content"]');
      var text = content.value.replace(/\s+$/, "");
      setField(content, (text ? text + " " : "") + "#" + tag.dataset.assistTag);
      return;
    }
    var alt = event.target.closest("[data-assist-alt]");
    if (alt) { setField(document.querySelector('[name="alt_text"]'), alt.dataset.assistAlt); }
  });
})();
