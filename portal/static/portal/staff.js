/* Một Cửa staff pages: small progressive enhancements; everything works without this file. */
(function () {
  "use strict";
  // Intake: picking a procedure from the list loads its checklist at once.
  var picker = document.getElementById("procedure-picker");
  if (picker) {
    var input = picker.querySelector("input[list]");
    var options = Array.prototype.map.call(document.querySelectorAll("#procedure-list option"), function (o) {
      return o.value;
    });
    var sent = false;
    picker.addEventListener("submit", function () { sent = true; });
    input.addEventListener("input", function () {
      if (!sent && options.indexOf(input.value) !== -1) {
        sent = true;
        picker.submit();
      }
    });
  }
  // Intake: a CCCD is 12 digits (numeric keypad); a passport or another document has letters too.
  var idType = document.getElementById("id_id_type");
  var idNumber = document.getElementById("id_id_number");
  if (idType && idNumber) {
    var keypad = function () { idNumber.inputMode = idType.value === "cccd" ? "numeric" : "text"; };
    idType.addEventListener("change", keypad);
    keypad();
  }
  // Transfer: filter the (grouped) list of units as the officer types, accents and case ignored.
  var fold = function (text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  };
  var unitFilter = document.getElementById("to-unit-filter");
  var unitSelect = document.getElementById("to-unit");
  if (unitFilter && unitSelect) {
    unitFilter.hidden = false;
    unitFilter.addEventListener("input", function () {
      var wanted = fold(unitFilter.value.trim());
      var first = null;
      Array.prototype.forEach.call(unitSelect.querySelectorAll("optgroup"), function (group) {
        var shown = 0;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          option.hidden = wanted !== "" && fold(option.textContent).indexOf(wanted) === -1;
          if (!option.hidden) { shown += 1; first = first || option; }
        });
        group.hidden = shown === 0;
      });
      // The first match is chosen, so typing a name and sending is enough; no match leaves the choice alone.
      if (wanted !== "" && first) { first.selected = true; }
    });
  }
  // Action forms: no double submission while the page reloads.
  Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
        window.setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
})();
