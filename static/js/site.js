// Small enhancements only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // After a failed submit, the error summary takes focus, so it is read first and its links lead to each field.
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }

  // Copy-link buttons: shown only where the clipboard can be used.
  document.querySelectorAll(".js-copy").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = "Link copied";
        setTimeout(function () { button.textContent = label; }, 2500);
      }, function () {
        button.textContent = "Couldn't copy: please copy the address bar";
      });
    });
  });

  // Warn about a photo that is too large before the story is sent, so nothing is lost.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var message = document.getElementById("photo-size-error");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var tooBig = Boolean(file && file.size > max);
      if (message) { message.hidden = !tooBig; }
      if (tooBig) { input.value = ""; }
    });
  });

  // A gentle character count under the story.
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) { return; }
    var min = parseInt(counter.getAttribute("data-min"), 10);
    var max = parseInt(counter.getAttribute("data-max"), 10);
    function update() {
      var n = field.value.trim().length;
      if (n === 0) { counter.textContent = ""; }
      else if (n < min) { counter.textContent = n + " characters: a few more words, please (at least " + min + ")."; }
      else if (n > max) { counter.textContent = n.toLocaleString() + " characters: please shorten to " + max.toLocaleString() + "."; }
      else { counter.textContent = n.toLocaleString() + " characters."; }
    }
    field.addEventListener("input", update);
    update();
  });

  // Forms with a data-confirm message ask once more before sending.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
