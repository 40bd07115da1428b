// The composer's thread (docs/threads.md): "Add to thread" adds a part's textarea, "Remove part" takes
// one away. Parts are numbered in order and each has a per-part check box (`part-check-<index>`) that
// the live check's answer fills (hx-swap-oob in _validation.html): the server counts, never this file.
(function () {
  "use strict";
  var fieldset = document.querySelector("[data-thread]");
  if (!fieldset) { return; }
  var list = fieldset.querySelector("[data-thread-parts]");
  var template = fieldset.querySelector("[data-thread-template]");
  var form = fieldset.closest("form");

  function renumber() {
    Array.prototype.forEach.call(list.querySelectorAll("[data-thread-part]"), function (part, index) {
      var area = part.querySelector("textarea");
      area.id = "thread-part-" + index;
      var label = part.querySelector("label");
      label.htmlFor = area.id;
      label.textContent = "Part " + (index + 2);
      part.querySelector(".part-check").id = "part-check-" + index;
    });
  }

  function changed() {  // the live check runs on the form's input events
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  fieldset.querySelector("[data-add-part]").addEventListener("click", function () {
    var part = template.content.firstElementChild.cloneNode(true);
    list.appendChild(part);
    renumber();
    part.querySelector("textarea").focus();
    changed();
  });

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-part]");
    if (!button) { return; }
    button.closest("[data-thread-part]").remove();
    renumber();
    changed();
  });
})();
