// Small enhancements only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // After a failed submit, the error summary takes focus, so it is read first and its links lead to each field.
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }

  // Copy-link buttons: shown only where the clipboard can be used. Their words come from the page, in its language.
  document.querySelectorAll(".js-copy").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = button.getAttribute("data-copied") || "Link copied";
        setTimeout(function () { button.textContent = label; }, 2500);
      }, function () {
        button.textContent = button.getAttribute("data-copy-failed") || "Couldn't copy: please copy the address bar";
      });
    });
  });

  // The phone's own share sheet, where the browser has one (most phones): the plain links stay beside it.
  document.querySelectorAll(".js-share").forEach(function (button) {
    if (!navigator.share) { return; }
    var item = button.closest(".share-native");
    if (item) { item.hidden = false; }
    button.addEventListener("click", function () {
      navigator.share({title: button.getAttribute("data-title"), url: button.getAttribute("data-url")})
        .catch(function () { /* the person closed the sheet: nothing to do */ });
    });
  });

  // A gallery's thumbnails open in a small lightbox of ours (each is still a plain link to the photo's own page):
  // the arrow keys move between photos, Escape closes it, and focus goes back to the thumbnail.
  document.querySelectorAll("[data-lightbox]").forEach(function (grid) {
    if (typeof HTMLDialogElement !== "function") { return; }
    var links = Array.prototype.slice.call(grid.querySelectorAll("a[data-full]"));
    if (!links.length) { return; }
    var dialog = document.createElement("dialog");
    dialog.className = "lightbox";
    dialog.setAttribute("aria-label", grid.closest("section") ? (grid.closest("section").querySelector("h2") || {}).textContent || "" : "");
    var inner = document.createElement("div");
    inner.className = "lightbox-inner";
    var image = document.createElement("img");
    var caption = document.createElement("p");
    caption.className = "lightbox-caption";
    caption.setAttribute("aria-live", "polite");
    var controls = document.createElement("div");
    controls.className = "lightbox-controls";
    function control(label, className) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button " + className;
      b.textContent = label;
      return b;
    }
    var before = control(grid.getAttribute("data-before") || "Previous photo", "lightbox-before");
    var after = control(grid.getAttribute("data-after") || "Next photo", "lightbox-after");
    var close = control(grid.getAttribute("data-close") || "Close", "lightbox-close");
    controls.appendChild(before);
    controls.appendChild(after);
    inner.appendChild(close);
    inner.appendChild(image);
    inner.appendChild(caption);
    inner.appendChild(controls);
    dialog.appendChild(inner);
    document.body.appendChild(dialog);
    var current = 0;
    function show(index) {
      current = (index + links.length) % links.length;
      var link = links[current];
      var thumb = link.querySelector("img");
      image.src = link.getAttribute("data-full");
      image.alt = thumb ? thumb.alt : "";
      var words = link.getAttribute("data-caption") || "";
      caption.textContent = words;
      caption.hidden = !words;
      before.hidden = after.hidden = links.length < 2;
    }
    links.forEach(function (link, index) {
      link.addEventListener("click", function (event) {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) { return; }
        event.preventDefault();
        show(index);
        dialog.showModal();
        close.focus();
      });
    });
    before.addEventListener("click", function () { show(current - 1); });
    after.addEventListener("click", function () { show(current + 1); });
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) { if (event.target === dialog || event.target === inner) { dialog.close(); } });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
      if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
    });
    // Back on the thumbnail of the photo last seen (after the browser puts focus back where it was).
    dialog.addEventListener("close", function () { setTimeout(function () { links[current].focus(); }, 0); });
  });

  // Gallery uploads: one row of words per photo chosen, named by its file; the other rows step aside. Without
  // this script every row shows and rows beyond the photos chosen are left empty.
  document.querySelectorAll("[data-gallery-upload]").forEach(function (box) {
    var input = box.querySelector("input[type=file]");
    var rows = Array.prototype.slice.call(box.querySelectorAll("[data-gallery-row]"));
    if (!input || !rows.length) { return; }
    function update() {
      var files = input.files ? Array.prototype.slice.call(input.files) : [];
      rows.forEach(function (row, index) {
        var filled = Array.prototype.some.call(row.querySelectorAll("input[type=text]"), function (f) { return f.value; });
        var hasError = row.querySelector(".has-error");
        row.hidden = index >= files.length && !filled && !hasError;
        var name = row.querySelector("[data-file-name]");
        if (name) { name.textContent = files[index] ? "(" + files[index].name + ")" : ""; }
      });
    }
    input.addEventListener("change", update);
    update();
  });

  // Printing a memorial keeps its story even behind a content note: the note's <details> opens for the paper.
  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.content-note:not([open])").forEach(function (details) {
      details.open = true;
      closedForPrint.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (details) { details.open = false; });
    closedForPrint = [];
  });

  // A photo that is too large is refused here, before anything is sent, so a family never loses their words
  // to an upload the server would refuse. The message is announced (a live region) and tied to the field.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var message = document.getElementById(input.getAttribute("data-size-message") || "photo-size-error");
    if (!message) { return; }
    var template = message.getAttribute("data-template") || "";
    var base = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    var maxTotal = parseInt(input.getAttribute("data-max-total") || "0", 10);
    var totalTemplate = message.getAttribute("data-total-template") || template;
    input.addEventListener("change", function () {
      var files = input.files ? Array.prototype.slice.call(input.files) : [];
      var file = files.filter(function (f) { return f.size > max; })[0];
      var total = files.reduce(function (sum, f) { return sum + f.size; }, 0);
      var tooBig = Boolean(file) || Boolean(maxTotal && total > maxTotal);
      var described = base.slice();
      if (tooBig) {
        var size = file ? file.size : total;
        var megabytes = (size / (1024 * 1024)).toLocaleString(document.documentElement.lang || undefined,
          {maximumFractionDigits: 1});
        message.textContent = (file ? template : totalTemplate).replace("{size}", megabytes)
          .replace("{name}", file ? file.name : "");
        message.classList.add("error");
        described.push(message.id);
        input.setAttribute("aria-invalid", "true");
        input.value = "";
      } else {
        message.textContent = "";
        message.classList.remove("error");
        if (!input.closest(".has-error")) { input.removeAttribute("aria-invalid"); }
      }
      input.setAttribute("aria-describedby", described.join(" "));
    });
  });

  // A character count under long text. It is shown as the person types, but read out by screen readers only
  // when it matters: near the limit (each hundred left), past it, and back within it. The words come from the
  // page (data-* attributes), in its language.
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) { return; }
    var min = parseInt(counter.getAttribute("data-min"), 10) || 0;
    var max = parseInt(counter.getAttribute("data-max"), 10);
    var near = Math.max(Math.round(max * 0.9), max - 1000);
    var live = document.getElementById(counter.getAttribute("data-live"));
    var lang = document.documentElement.lang || undefined;
    function say(name, n) {
      return (counter.getAttribute("data-" + name) || "")
        .replace("{count}", n.toLocaleString(lang)).replace("{left}", (max - n).toLocaleString(lang))
        .replace("{max}", max.toLocaleString(lang)).replace("{min}", min.toLocaleString(lang));
    }
    var said = "";
    function update(announce) {
      var n = field.value.replace(/\r\n/g, "\n").trim().length;
      var state = n > max ? "over" : (n >= near ? "near" : (n > 0 && n < min ? "short" : "ok"));
      counter.textContent = n === 0 ? "" : say(state, n);
      counter.classList.toggle("is-near", state === "near");
      counter.classList.toggle("is-over", state === "over");
      var step = state === "near" ? "near-" + Math.floor((max - n) / 100) : state;
      if (announce && live && step !== said) {
        if (state === "over" || state === "near") { live.textContent = say(state, n); }
        else if (said === "over") { live.textContent = say("back", n); }
      }
      said = step;
    }
    field.addEventListener("input", function () { update(true); });
    update(false);
  });

  // Forms with a data-confirm message ask once more before sending.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
