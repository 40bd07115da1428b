/* Drag to reorder a queue's waiting posts (SortableJS); the server reassigns the slots. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("#queue-order[data-sortable]");
    if (!list || !window.Sortable) { return; }
    var message = document.getElementById("reorder-message");
    Sortable.create(list, {
      animation: 120,
      onEnd: function () {
        var ids = Array.prototype.map.call(list.querySelectorAll("[data-post-id]"), function (li) { return li.dataset.postId; });
        fetch(list.dataset.reorderUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRFToken": window.schedulerCsrf(), "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ post_ids: ids.join(",") })
        }).then(function (r) { return r.json(); }).then(function (data) {
          message.textContent = data.message;
          message.className = data.ok ? "message success" : "message error";
          if (data.ok) { window.setTimeout(function () { window.location.reload(); }, 400); }
        });
      }
    });
  });
})();
