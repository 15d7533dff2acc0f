/* Long unit pickers (select[data-filterable]) get a search box above them: typing hides the
   options that do not match, ignoring case and Vietnamese accents ("so tu phap" finds "Sở Tư pháp").
   Without this file the picker is a plain grouped <select>. */
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll("select[data-filterable]"), function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.setAttribute("aria-controls", select.id);
    box.setAttribute("aria-label", select.getAttribute("data-filter-label") || "Lọc danh sách");
    box.placeholder = select.getAttribute("data-filter-placeholder") || "Gõ để lọc…";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var any = false;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var match = !wanted || fold(option.text + " " + group.label).indexOf(wanted) !== -1;
          option.hidden = !match;
          any = any || match;
        });
        group.hidden = !any;
      });
    });
  });
})();
