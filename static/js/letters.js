// Print and copy buttons for letters. Every button is hidden until this script shows it:
// without script the letters can still be printed from the browser, copied from the text box, or downloaded.
(function () {
  "use strict";

  function printOnly(sheet) {
    document.body.classList.add("printing-one");
    sheet.classList.add("print-this");
    window.print();
  }

  window.addEventListener("afterprint", function () {
    document.body.classList.remove("printing-one");
    document.querySelectorAll(".print-this").forEach(function (sheet) { sheet.classList.remove("print-this"); });
  });

  document.querySelectorAll(".js-print").forEach(function (button) {
    var sheet = document.getElementById(button.getAttribute("data-letter"));
    if (!sheet || !window.print) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { printOnly(sheet); });
  });

  document.querySelectorAll(".js-print-all").forEach(function (button) {
    if (!window.print) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll(".js-copy-letter").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-source"));
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 2500);
      }, function () {
        var details = source.closest("details");
        if (details) { details.open = true; }
        source.focus();
        source.select();
        button.textContent = "Press Ctrl+C (or ⌘C) to copy";
      });
    });
  });
}());
