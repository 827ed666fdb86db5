// Type-ahead for person fields: <input list="ID" data-suggest="URL"> gets the matching names as suggestions.
// Without JavaScript the field still works: the server searches the typed name.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var hidden = input.dataset.idField ? document.getElementById(input.dataset.idField) : null;
    var timer = null;
    var last = "";
    function fill(items) {
      list.replaceChildren();
      items.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.value;
        option.label = item.label;
        option.dataset.id = item.id;
        list.appendChild(option);
      });
    }
    function chosenId() {
      var match = Array.prototype.find.call(list.options, function (o) { return o.value === input.value; });
      return match ? match.dataset.id : "";
    }
    input.addEventListener("input", function () {
      if (hidden) { hidden.value = chosenId(); }
      var text = input.value.trim();
      if (text.length < 2 || text === last) { return; }
      last = text;
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = input.dataset.suggest + "?q=" + encodeURIComponent(text);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (items) { fill(items); if (hidden) { hidden.value = chosenId(); } })
          .catch(function () { /* suggestions are a convenience: typing and searching still work */ });
      }, 150);
    });
  }
  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
