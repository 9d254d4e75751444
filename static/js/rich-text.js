/* Light formatting for long text fields (progressive enhancement).
   Without JavaScript the textarea stays, holding simple HTML. With it, each textarea marked
   data-rich-text becomes an editable area with a small toolbar (bold, italic, lists, link);
   the HTML is copied back into the textarea on every change, and the server sanitizes it
   against an allow-list whatever the browser sends. */
(function () {
  "use strict";

  var BUTTONS = [
    { command: "bold", label: "Gras", text: "G", key: "b" },
    { command: "italic", label: "Italique", text: "I", key: "i" },
    { command: "insertUnorderedList", label: "Liste à puces", text: "Liste à puces" },
    { command: "insertOrderedList", label: "Liste numérotée", text: "Liste numérotée" },
    { command: "createLink", label: "Lien", text: "Lien" },
    { command: "unlink", label: "Retirer le lien", text: "Retirer le lien" }
  ];

  function enhance(textarea) {
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    var wrapper = document.createElement("div");
    wrapper.className = "rich-editor";

    var toolbar = document.createElement("div");
    toolbar.className = "rich-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Mise en forme : " + (label ? label.textContent.trim() : ""));

    var area = document.createElement("div");
    area.className = "rich-area";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.id = textarea.id + "-editor";
    if (label) {
      area.setAttribute("aria-labelledby", label.id || (label.id = textarea.id + "-label"));
      label.setAttribute("for", area.id);
      label.addEventListener("click", function () { area.focus(); });
    }
    var described = textarea.getAttribute("aria-describedby");
    if (described) { area.setAttribute("aria-describedby", described); }
    if (textarea.getAttribute("aria-invalid") === "true") { area.setAttribute("aria-invalid", "true"); }
    area.innerHTML = textarea.value;

    function sync() { textarea.value = area.innerHTML; }

    BUTTONS.forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rich-button rich-" + spec.command;
      button.textContent = spec.text;
      // The accessible name must contain the visible text (RGAA 7.1, WCAG 2.5.3).
      if (spec.label !== spec.text) { button.setAttribute("aria-label", spec.label); }
      button.title = spec.label + (spec.key ? " (Ctrl+" + spec.key.toUpperCase() + ")" : "");
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        area.focus();
        if (spec.command === "createLink") {
          var url = window.prompt("Adresse du lien (https://…)", "https://");
          if (!url || url === "https://") { return; }
          if (!/^(https?:|mailto:)/i.test(url)) { url = "https://" + url; }
          document.execCommand("createLink", false, url);
        } else {
          document.execCommand(spec.command, false, null);
        }
        sync();
      });
      toolbar.appendChild(button);
    });

    area.addEventListener("input", sync);
    area.addEventListener("blur", sync);
    area.addEventListener("paste", function (event) {
      // Paste as plain text: formatting from Word or the web would be stripped anyway.
      event.preventDefault();
      var text = (event.clipboardData || window.clipboardData).getData("text/plain");
      document.execCommand("insertText", false, text);
    });

    textarea.hidden = true;
    textarea.parentNode.insertBefore(wrapper, textarea);
    wrapper.appendChild(toolbar);
    wrapper.appendChild(area);
    wrapper.appendChild(textarea);
    if (textarea.form) { textarea.form.addEventListener("submit", sync); }
  }

  function init() {
    try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* old browsers */ }
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-rich-text]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
