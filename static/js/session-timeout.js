// Before a signed-in session ends for lack of requests (common.middleware.SessionTimeoutMiddleware),
// the page warns and offers to stay signed in (WCAG 2.2.1 Timing Adjustable, RGAA 13.1): typing does
// not reach the server, so an adviser writing a long diagnostic would otherwise lose it.
//
// data-expires-in (seconds left when the page was made) and data-warns-before come from the
// middleware; « Rester connecté » posts to data-extend-url (204, X-Session-Expires-In: the seconds
// now left), Escape does the same (the person is there). When the time runs out the page is left as
// it is — what was typed stays — and says that the person was signed out. Tabs of the same browser
// share the end time through localStorage: a page opened in another tab pushes this one's warning back.
(function () {
  "use strict";
  var script = document.currentScript;
  var data = script ? script.dataset : {};
  if (!data.expiresIn || !window.bootstrap || !window.fetch) {
    return;
  }
  var STORAGE_KEY = "e2c-session-ends-at";
  var ID = "session-expiration";
  var warnsBefore = Number(data.warnsBefore) * 1000;
  // The page counts from when it arrived, with the server's seconds rounded down: it says the session
  // ended only once the server has surely ended it, so that the next click lands on the sign-in page.
  var END_MARGIN = 2000;
  var endsAt = Date.now() + Number(data.expiresIn) * 1000;
  var warnTimer = null;
  var endTimer = null;
  var ended = false;
  var returnFocusTo = null;
  var dialog = null;
  var modal = null;

  function share() {
    try {
      window.localStorage.setItem(STORAGE_KEY, String(endsAt));
    } catch (error) {
      // Storage refused (private browsing settings): each tab keeps its own count.
    }
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    var now = Date.now();
    warnTimer = window.setTimeout(warn, Math.max(0, endsAt - warnsBefore - now));
    endTimer = window.setTimeout(end, Math.max(0, endsAt + END_MARGIN - now));
  }

  function duration(milliseconds) {
    var seconds = Math.max(0, Math.round(milliseconds / 1000));
    if (seconds >= 90) {
      return Math.round(seconds / 60) + "\u00a0minutes";
    }
    return seconds + (seconds > 1 ? "\u00a0secondes" : "\u00a0seconde");
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function build() {
    dialog = element("div", "modal");
    dialog.id = ID;
    dialog.tabIndex = -1;
    dialog.setAttribute("aria-labelledby", ID + "-titre");
    dialog.setAttribute("aria-describedby", ID + "-texte");
    var box = element("div", "modal-dialog modal-dialog-centered");
    var content = element("div", "modal-content");
    var header = element("div", "modal-header");
    var title = element("h2", "modal-title h5");
    title.id = ID + "-titre";
    header.appendChild(title);
    var body = element("div", "modal-body");
    var text = element("p", "mb-0");
    text.id = ID + "-texte";
    body.appendChild(text);
    var footer = element("div", "modal-footer");
    content.appendChild(header);
    content.appendChild(body);
    content.appendChild(footer);
    box.appendChild(content);
    dialog.appendChild(box);
    document.body.appendChild(dialog);
    // Escape is handled here (staying signed in, or closing once signed out), not by Bootstrap.
    modal = new window.bootstrap.Modal(dialog, { backdrop: "static", keyboard: false });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        if (ended) {
          close();
        } else {
          stay();
        }
      }
    });
  }

  function button(label, className, action) {
    var node = element("button", className, label);
    node.type = "button";
    node.addEventListener("click", action);
    return node;
  }

  // Shows the dialog with this title, text and actions; focus goes to the first action.
  function show(titleText, bodyText, actions) {
    if (!dialog) {
      build();
    }
    var open = dialog.classList.contains("show");
    if (!open && document.activeElement && document.activeElement !== document.body) {
      returnFocusTo = document.activeElement;
    }
    if (open) {
      modal.hide(); // shown again below: a screen reader announces the new text as it enters the dialog
    }
    document.getElementById(ID + "-titre").textContent = titleText;
    document.getElementById(ID + "-texte").textContent = bodyText;
    var footer = dialog.querySelector(".modal-footer");
    footer.replaceChildren.apply(footer, actions);
    modal.show();
    dialog.setAttribute("role", "alertdialog"); // (Bootstrap sets role="dialog" when showing)
    actions[0].focus();
  }

  function close() {
    if (dialog && dialog.classList.contains("show")) {
      modal.hide();
    }
    if (returnFocusTo && document.contains(returnFocusTo)) {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function signOut() {
    var form = document.querySelector('form[action="' + data.logoutUrl + '"]');
    if (form) {
      form.requestSubmit();
    } else {
      window.location.assign(data.logoutUrl);
    }
  }

  function csrfToken() {
    var field = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : "";
  }

  function warn() {
    if (ended) {
      return;
    }
    show("Votre session va bientôt expirer", "Votre session va expirer dans " + duration(endsAt - Date.now()) +
      ". Rester connecté\u00a0?", [
      button("Rester connecté", "btn btn-primary", stay),
      button("Se déconnecter", "btn btn-outline-primary", signOut),
    ]);
  }

  function stay() {
    window.fetch(data.extendUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual", // signed out already: the sign-in page's redirection, not followed
      headers: { "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (response.status !== 204) {
        end();
        return;
      }
      endsAt = Date.now() + Number(response.headers.get("X-Session-Expires-In")) * 1000;
      share();
      schedule();
      if (endsAt - Date.now() <= warnsBefore) {
        // The 12-hour limit after signing in: no request pushes it back.
        show("Votre session se termine bientôt", "Votre session se termine dans " + duration(endsAt - Date.now()) +
          " et ne peut plus être prolongée : elle dure au plus 12\u00a0heures après la connexion. " +
          "Enregistrez votre travail, puis reconnectez-vous.", [button("Fermer", "btn btn-primary", close)]);
      } else {
        close();
      }
    }).catch(function () {
      document.getElementById(ID + "-texte").textContent = "Le serveur n'a pas pu être joint : " +
        "vérifiez votre connexion, puis choisissez à nouveau « Rester connecté ».";
    });
  }

  function end() {
    if (ended) {
      return;
    }
    ended = true;
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    var message = "Vous avez été déconnecté(e) : votre session a expiré. Ce que vous avez saisi reste dans " +
      "cette page, mais serait perdu en l'envoyant : copiez-le avant de vous reconnecter.";
    var main = document.getElementById("contenu");
    if (main) {
      var banner = element("div", "alert alert-warning", message);
      banner.setAttribute("role", "alert");
      main.insertBefore(banner, main.firstChild);
    }
    var signIn = element("a", "btn btn-outline-primary", "Se reconnecter");
    signIn.href = data.loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    show("Votre session a expiré", message, [button("Fermer", "btn btn-primary", close), signIn]);
  }

  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY && !ended && Number(event.newValue) > endsAt) {
      endsAt = Number(event.newValue); // another tab made a request
      schedule();
      close();
    }
  });
  // A hidden tab's timers may be delayed: count again when it is shown.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !ended) {
      schedule();
    }
  });

  share();
  schedule();
})();
