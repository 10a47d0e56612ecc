/* motcua: small enhancements only; every page works without this file.
   1. Questions that depend on an answer on the same page show and hide with it.
   2. After htmx swaps a page, focus goes to the error summary or the heading.
   3. Photos are shrunk on the phone before upload (long side 2000 px, JPEG), with progress. */
(function () {
  "use strict";
  var d = document;

  function reveal() {
    var blocks = d.querySelectorAll("[data-when]");
    for (var i = 0; i < blocks.length; i++) {
      var b = blocks[i], on = d.querySelector('input[name="' + b.getAttribute("data-when") + '"]:checked');
      b.hidden = !on || (" " + b.getAttribute("data-when-in") + " ").indexOf(" " + on.value + " ") < 0;
      var note = b.querySelector(".when-note");
      if (note) note.hidden = true;  // the page shows and hides the question itself
    }
  }
  d.addEventListener("change", function (e) { if (e.target.type === "radio") reveal(); });
  d.addEventListener("htmx:afterSettle", function (e) {
    reveal();
    if (e.target === d.body) {
      var to = d.getElementById("error-summary") || d.querySelector("h1[tabindex]");
      if (to) to.focus();
    }
  });
  reveal();

  function shrink(file) {
    return new Promise(function (done) {
      var keep = { blob: file, name: file.name };
      if (!/^image\/(jpeg|png|webp)$/.test(file.type) || file.size < 300000) return done(keep);
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () {
        var s = Math.min(1, 2000 / Math.max(img.width, img.height)), c = d.createElement("canvas");
        c.width = Math.round(img.width * s); c.height = Math.round(img.height * s);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        c.toBlob(function (b) {
          done(b && b.size < file.size ? { blob: b, name: file.name.replace(/\.\w+$/, "") + ".jpg" } : keep);
        }, "image/jpeg", 0.8);
      };
      img.onerror = function () { URL.revokeObjectURL(url); done(keep); };
      img.src = url;
    });
  }

  d.addEventListener("submit", function (e) {
    var form = e.target, input = form.querySelector && form.querySelector("input[type=file]");
    if (!form.classList || !form.classList.contains("upload-form")) return;
    if (!input || !input.files.length || !window.FormData || !window.Promise || !HTMLCanvasElement.prototype.toBlob) return;
    e.preventDefault();
    var note = form.querySelector(".progress");
    note.hidden = false;
    note.textContent = note.getAttribute("data-preparing");
    Promise.all([].map.call(input.files, shrink)).then(function (files) {
      var data = new FormData(), xhr = new XMLHttpRequest();
      data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
      files.forEach(function (f) { data.append("tep", f.blob, f.name); });
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Upload", "1");
      xhr.upload.onprogress = function (p) {
        if (p.lengthComputable) note.textContent = note.getAttribute("data-sending").replace("{p}", Math.round(p.loaded * 100 / p.total));
      };
      xhr.onload = function () {
        var slot = d.getElementById(form.getAttribute("data-slot") + "-slot");
        // 422: a file refused, 429: too many uploads; either way the slot says why, by the field.
        if (xhr.status === 200 || xhr.status === 422 || xhr.status === 429) {
          slot.outerHTML = xhr.responseText;
          var input2 = d.getElementById(form.getAttribute("data-slot") + "-tep");
          if (input2) input2.focus();
        } else note.textContent = note.getAttribute(xhr.status === 413 ? "data-too-big" : "data-failed");
      };
      xhr.onerror = function () { note.textContent = note.getAttribute("data-failed"); };
      xhr.send(data);
    });
  });
})();
