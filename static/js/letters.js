// Letters to Congress and the statehouse: small enhancements only. Every page works without this file:
// the ask can be unfolded by hand, letters can be printed from the browser, changed in their text box
// and shown with "Show my changes", copied from the plain-text box, downloaded, and "I called" posts the form.
(function () {
  "use strict";

  var status = document.getElementById("letters-status");

  function announce(message) {
    if (!status) { return; }
    status.textContent = "";
    // A fresh text node in a live region is read out even when the words are the same as last time.
    setTimeout(function () { status.textContent = message; }, 50);
  }

  // The campaign's ask: folded on a phone so the form comes first, unfolded where there is room.
  document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
    if (window.matchMedia && window.matchMedia("(min-width: 48em)").matches) { details.open = true; }
  });

  // On a phone, one letter at a time: each letter is a folded section, and opening one folds the others
  // (the one the address names, being edited or just called stays open). Elsewhere, every letter is open.
  var folds = Array.prototype.slice.call(document.querySelectorAll("details.sheet-fold"));
  var printing = false;
  var wasOpen = [];
  var narrow = window.matchMedia && window.matchMedia("(max-width: 47.99em)").matches;
  var folding = narrow && folds.length > 1;

  function foldOf(element) {
    var sheet = element && element.closest ? element.closest(".letter-sheet") : null;
    return sheet ? sheet.querySelector("details.sheet-fold") : null;
  }

  if (folding) {
    var named = location.hash && document.getElementById(location.hash.slice(1));
    var kept = foldOf(named) || folds.filter(function (f) { return f.hasAttribute("data-keep-open"); })[0] || folds[0];
    folds.forEach(function (fold) { fold.open = fold === kept; });
    folds.forEach(function (fold) {
      fold.addEventListener("toggle", function () {
        if (!fold.open || printing) { return; }
        folds.forEach(function (other) { if (other !== fold) { other.open = false; } });
        // The letters above fold away: bring the one just opened to the top of the screen.
        window.requestAnimationFrame(function () { fold.scrollIntoView({block: "start"}); });
      });
    });
  }

  // The list of letters and each "Next: the letter to ..." open the letter they point to.
  document.querySelectorAll("a[data-open]").forEach(function (link) {
    link.addEventListener("click", function () {
      var fold = foldOf(document.getElementById(link.getAttribute("data-open")));
      if (fold) { fold.open = true; }
    });
  });

  // Printing: one letter, or all of them; every letter is unfolded for it, and folded again after.
  window.addEventListener("beforeprint", function () {
    printing = true;
    wasOpen = folds.map(function (fold) { return fold.open; });
    folds.forEach(function (fold) { fold.open = true; });
  });

  function printOnly(sheet) {
    document.body.classList.add("printing-one");
    sheet.classList.add("print-this");
    window.print();
  }

  window.addEventListener("afterprint", function () {
    document.body.classList.remove("printing-one");
    document.querySelectorAll(".print-this").forEach(function (sheet) { sheet.classList.remove("print-this"); });
    if (folding) { folds.forEach(function (fold, index) { fold.open = wasOpen[index]; }); }
    printing = false;
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

  // Editing: the letter on the page follows its text box as the sender types, so printing and copying carry
  // the new words; downloads send the text box itself.
  function paragraphs(text) {
    return text.replace(/\r\n/g, "\n").split(/\n\s*\n/).map(function (p) { return p.trim(); })
      .filter(function (p) { return p.length > 0; });
  }

  function wholeLetter(box) {
    return box.getAttribute("data-head") + "\n\n" + box.value.trim() + "\n\n" + box.getAttribute("data-tail") + "\n";
  }

  document.querySelectorAll("textarea[data-preview]").forEach(function (box) {
    var preview = document.getElementById(box.getAttribute("data-preview"));
    var plain = document.getElementById("text-" + box.getAttribute("data-preview").replace(/^body-/, ""));
    if (!preview) { return; }
    box.addEventListener("input", function () {
      var parts = paragraphs(box.value);
      if (!parts.length) { return; }  // an empty box keeps the letter as it was (the server does the same)
      preview.textContent = "";
      parts.forEach(function (text) {
        var p = document.createElement("p");
        p.className = "typed";
        p.textContent = text;
        preview.appendChild(p);
      });
      if (plain) { plain.value = wholeLetter(box); }
    });
  });
  document.querySelectorAll(".js-no-script").forEach(function (element) { element.hidden = true; });

  // Copying: the whole letter, with any changes, and "Copied" said out loud.
  document.querySelectorAll(".js-copy-letter").forEach(function (button) {
    var box = document.getElementById(button.getAttribute("data-source"));
    if (!box || !navigator.clipboard) { return; }
    button.hidden = false;
    var label = button.textContent;
    var name = button.getAttribute("data-name");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(wholeLetter(box)).then(function () {
        button.textContent = button.getAttribute("data-copied") || "Copied";
        announce((status && status.getAttribute("data-copied-letter") || "Copied the letter to {name}.").replace("{name}", name));
        setTimeout(function () { button.textContent = label; }, 2500);
      }, function () {
        var details = box.closest("details");
        if (details) { details.open = true; }
        box.focus();
        box.select();
        announce(status && status.getAttribute("data-copy-failed") || "Press Ctrl+C (or Command+C) to copy.");
      });
    });
  });

  // "I called": counted without leaving the page; if that fails, the button posts the form as it would anyway.
  var form = document.getElementById("letters-form");
  document.querySelectorAll(".js-called").forEach(function (button) {
    if (!form || !window.fetch || !window.FormData) { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      data.set("member", button.value);
      button.disabled = true;
      // The button's own address, without the #fragment that brings a page without script back to the call box.
      fetch(button.formAction.split("#")[0], {method: "POST", body: data, credentials: "same-origin",
                                              headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (answer) {
          var line = document.getElementById(button.getAttribute("data-status"));
          if (line) { line.textContent = answer.message; }
        })
        .catch(function () {
          button.disabled = false;
          if (form.requestSubmit) { form.requestSubmit(button); } else { form.submit(); }
        });
    });
  });
}());
