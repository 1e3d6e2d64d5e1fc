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

  // A photo that is too large is refused here, before anything is sent, so a family never loses their words
  // to an upload the server would refuse. The message is announced (a live region) and tied to the field.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var message = document.getElementById(input.getAttribute("data-size-message") || "photo-size-error");
    if (!message) { return; }
    var template = message.getAttribute("data-template") || "";
    var base = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var tooBig = Boolean(file && file.size > max);
      var described = base.slice();
      if (tooBig) {
        var megabytes = (file.size / (1024 * 1024)).toLocaleString(document.documentElement.lang || undefined,
          {maximumFractionDigits: 1});
        message.textContent = template.replace("{size}", megabytes).replace("{name}", file.name);
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
