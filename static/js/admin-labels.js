// Django's admin draws autocomplete fields with Select2, whose combobox is named only by the
// value chosen, so an empty one has no accessible name. This names each combobox after its
// field (the <label>, or in a table row the select's own aria-label) followed by its value.
// The value's read-only "textbox" inside it becomes plain text: it is not a field of its own,
// and empty it would be one more control without a name.
(function () {
  "use strict";

  function fieldName(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    var text = select.getAttribute("aria-label") || (label ? label.textContent : "");
    return text.replace(/:\s*$/, "").trim();
  }

  function nameComboboxes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var combo = container && container.querySelector(".select2-selection[role=combobox]");
      var name = fieldName(select);
      if (!combo || !name || combo.dataset.named) return;
      var rendered = combo.querySelector(".select2-selection__rendered");
      combo.id = combo.id || select.id + "-combobox";
      combo.setAttribute("aria-label", name);
      // The combobox refers to itself for the field's name, then to the text of its value.
      combo.setAttribute("aria-labelledby", combo.id + (rendered ? " " + rendered.id : ""));
      if (rendered) {
        rendered.removeAttribute("role");
        rendered.removeAttribute("aria-readonly");
      }
      combo.dataset.named = "true";
    });
  }

  if (window.django && django.jQuery) {
    // Queued after the admin's own ready handler, which draws the comboboxes.
    django.jQuery(function () { nameComboboxes(document); });
  }
  document.addEventListener("formset:added", function (event) {
    nameComboboxes(event.target);
  });
})();
