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
  // Action forms: no double submission while the page reloads.
  Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
        window.setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
})();
