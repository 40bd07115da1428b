/* Drag-and-drop multi upload with a progress bar per file (XMLHttpRequest reports upload progress).
   Each file is sent on its own so one bad file does not stop the others; the server checks them. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    var zone = document.getElementById("dropzone");
    var input = document.getElementById("upload-files");
    var list = document.getElementById("upload-progress");
    var pending = 0;

    function send(file) {
      var item = document.createElement("li");
      var label = document.createElement("span");
      label.textContent = file.name;
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", "Uploading " + file.name);
      item.appendChild(label); item.appendChild(bar); list.appendChild(item);
      var data = new FormData();
      data.append("file", file);
      data.append("alt_text", form.querySelector("[name=alt_text]").value);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", window.schedulerCsrf());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) { if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); } });
      pending += 1;
      xhr.addEventListener("loadend", function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = { errors: ["The server did not answer."] }; }
        bar.value = 100;
        label.textContent = file.name + (answer.ok ? " — uploaded" : " — " + (answer.errors || []).join(" "));
        label.className = answer.ok ? "" : "error";
        pending -= 1;
        if (pending === 0 && answer.ok) { window.setTimeout(function () { window.location.reload(); }, 600); }
      });
      xhr.send(data);
    }
    function sendAll(files) { Array.prototype.forEach.call(files, send); }

    form.addEventListener("submit", function (event) { event.preventDefault(); if (input.files.length) { sendAll(input.files); input.value = ""; } });
    ["dragenter", "dragover"].forEach(function (name) { zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (name) { zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); }); });
    zone.addEventListener("drop", function (e) { if (!input.disabled) { sendAll(e.dataTransfer.files); } });
  });
})();
