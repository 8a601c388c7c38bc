// Keyboard shortcuts of the agent workspace (incident queue and ticket pages):
//   /  search          j / k  next / previous ticket      Enter  open it
//   a  assign it       n      new incident                 ?      help
// Nothing happens while the user types in a field, or with Ctrl, Alt or Cmd held (the browser's own).
"use strict";

(function () {
  var SELECTED = "queue-selected";

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    if (tag === "input") {
      return target.type !== "checkbox" && target.type !== "radio"; // ticking a row is not typing
    }
    return tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue tbody tr.queue-row"));
  }

  function current() {
    return document.querySelector("#queue tbody tr." + SELECTED);
  }

  function select(row) {
    var previous = current();
    if (previous) {
      previous.classList.remove(SELECTED);
      previous.removeAttribute("aria-selected");
    }
    if (row) {
      row.classList.add(SELECTED);
      row.setAttribute("aria-selected", "true");
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    var all = rows();
    if (!all.length) {
      return;
    }
    var index = all.indexOf(current());
    var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[next]);
  }

  function assign() {
    var row = current();
    if (!row) {
      return;
    }
    var box = row.querySelector("input[type=checkbox][name=ids]");
    if (box) {
      box.checked = true;
    }
    var control = document.getElementById("bulk-person") || document.getElementById("bulk-team");
    if (control) {
      control.focus();
    }
  }

  function search() {
    var field = document.getElementById("global-search") || document.querySelector("input[name=search]");
    if (field) {
      field.focus();
      if (field.select) {
        field.select();
      }
    }
  }

  function help() {
    var dialog = document.getElementById("shortcut-help");
    if (dialog && !dialog.open && dialog.showModal) {
      dialog.showModal();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var dialog = document.getElementById("shortcut-help");
    if (dialog && dialog.open) {
      return; // the dialog handles its own keys (Escape closes it)
    }
    var workspace = document.getElementById("workspace");
    var handled = true;
    switch (event.key) {
      case "/":
        search();
        break;
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "Enter":
        if (current() && !event.target.closest("a, button, input")) {
          window.location.assign(current().dataset.href);
        } else {
          handled = false;
        }
        break;
      case "a":
        assign();
        break;
      case "n":
        if (workspace && workspace.dataset.newUrl) {
          window.location.assign(workspace.dataset.newUrl);
        }
        break;
      case "?":
        help();
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("#shortcut-help-open")) {
      help();
    }
  });

  // A click on a row's empty space selects it, so the keys go on from there.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#queue tbody tr.queue-row");
    if (row && !event.target.closest("a, input, button, select, label")) {
      select(row);
    }
  });
})();
