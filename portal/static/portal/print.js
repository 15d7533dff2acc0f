/* Printed forms: the toolbar's print button (no inline script: Content-Security-Policy). */
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
