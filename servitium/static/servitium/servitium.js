// Behaviour the templates ask for through data attributes. No template carries a script or an event handler
// of its own: the Content-Security-Policy allows scripts from our static files only.
"use strict";

// <select data-submit-on-change>: choosing an option submits its form (a plain GET form: a filter).
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) {
    field.form.submit();
  }
});

// <form data-upload-progress="ID">: the <progress id="ID"> shows how much of an htmx upload has been sent.
document.addEventListener("htmx:xhr:progress", function (event) {
  var form = event.target.closest("[data-upload-progress]");
  var bar = form && document.getElementById(form.dataset.uploadProgress);
  if (bar) {
    bar.hidden = false;
    if (event.detail.lengthComputable) {
      bar.value = (event.detail.loaded / event.detail.total) * 100;
    }
  }
});
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.target.closest("[data-upload-progress]");
  var bar = form && document.getElementById(form.dataset.uploadProgress);
  if (bar) {
    bar.value = 100;
  }
});

// An upload form's 400 answer is the form's own report of what was wrong with the file (a refused
// workbook): show it in place, as htmx leaves error answers unswapped by default.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 400 && event.target.closest("[data-upload-progress]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
