// Every form that posts is sent once: after the first submit its buttons are disabled and the one
// pressed says « Envoi en cours… » (aria-disabled, aria-busy on the form), and further submits are
// ignored. The server holds the same rule (each form carries a submission token, see
// submissions/guard.py); this spares people the wait and the « déjà envoyé » message.
// A page the browser restores from its back-forward cache gets its buttons back, and so does a
// page left in place (a download answered the post) after RESTORE_AFTER.
(function () {
  "use strict";
  var BUSY_LABEL = "Envoi en cours…";
  var RESTORE_AFTER = 20000;
  var saved = new WeakMap();

  function buttonsOf(form) {
    return Array.prototype.slice.call(
      form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]')
    );
  }

  function restore(form) {
    if (form.dataset.submitting !== "true") {
      return;
    }
    delete form.dataset.submitting;
    form.removeAttribute("aria-busy");
    buttonsOf(form).forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
      if (saved.has(button)) {
        if (button.tagName === "INPUT") {
          button.value = saved.get(button);
        } else {
          button.innerHTML = saved.get(button);
        }
        saved.delete(button);
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.submitting === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "true";
    form.setAttribute("aria-busy", "true");
    var buttons = buttonsOf(form);
    var pressed = event.submitter && buttons.indexOf(event.submitter) !== -1 ? event.submitter : buttons[0];
    buttons.forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
    });
    if (pressed) {
      if (pressed.tagName === "INPUT") {
        saved.set(pressed, pressed.value);
        pressed.value = BUSY_LABEL;
      } else {
        saved.set(pressed, pressed.innerHTML);
        pressed.textContent = BUSY_LABEL;
      }
    }
    // Disabled once the browser has read the form: the pressed button's name and value are still sent.
    window.setTimeout(function () {
      buttons.forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
    window.setTimeout(function () {
      restore(form);
    }, RESTORE_AFTER);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      Array.prototype.forEach.call(document.forms, restore);
    }
  });
})();
