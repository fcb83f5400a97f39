// The cart's live countdown (T6) and humane timer (H1), for portal/cart/cart.html.
// The server gives the expiry instant and its own clock (#cart-timer's data attributes, fetched
// again by htmx every 30 s, when the tab comes back into view, or when another tab changed the
// cart), so the count is right after a reload, in every tab, and whatever this device's clock
// says. Warnings at 2 minutes and at 20 seconds go to an assertive live region (#cart-timer-alert):
// read out, not only shown. Without JavaScript the page says until when the places are held.
(function () {
  "use strict";
  var timer = document.getElementById("cart-timer");
  var countdown = document.getElementById("cart-countdown");
  var alertRegion = document.getElementById("cart-timer-alert");
  if (!timer || !countdown || !alertRegion) {
    return;
  }
  var channel = "BroadcastChannel" in window ? new BroadcastChannel("registrar-cart") : null;
  var offset = 0; // server clock minus this device's, in ms
  var expiresAt = null; // ms since the epoch, server clock
  var warned = {}; // the warnings already given for this expiry
  var lastSeen = null;

  function read() {
    var el = document.getElementById("cart-timer");
    if (!el) {
      return;
    }
    var expires = el.getAttribute("data-expires-at");
    var serverNow = Date.parse(el.getAttribute("data-server-now"));
    if (!isNaN(serverNow) && el !== lastSeen) {
      offset = serverNow - Date.now();
    }
    var next = expires ? Date.parse(expires) : null;
    if (next !== expiresAt) {
      warned = {};
      if (expiresAt !== null && next !== null && next > expiresAt) {
        say(""); // extended: the warning no longer holds
      }
      expiresAt = next;
      if (channel) {
        channel.postMessage({ expiresAt: expiresAt });
      }
    }
    lastSeen = el;
  }

  function say(text) {
    alertRegion.textContent = text;
  }

  function words(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function warnSeconds() {
    var el = document.getElementById("cart-timer");
    var raw = (el && el.getAttribute("data-warn-seconds")) || "120,20";
    return raw.split(",").map(Number).sort(function (a, b) { return b - a; });
  }

  function tick() {
    read();
    if (expiresAt === null) {
      countdown.hidden = true;
      return;
    }
    var left = Math.max(0, Math.round((expiresAt - (Date.now() + offset)) / 1000));
    countdown.hidden = false;
    countdown.textContent = left > 0 ? words(left) + " " + countdown.getAttribute("data-left-label") : countdown.getAttribute("data-up-label");
    if (left === 0) {
      if (!warned.up) {
        warned.up = true;
        say(countdown.getAttribute("data-up-message"));
        var checkout = document.getElementById("cart-checkout");
        if (checkout) {
          checkout.disabled = true;
        }
      }
      return;
    }
    warnSeconds().forEach(function (at) {
      if (left <= at && !warned[at]) {
        warned[at] = true;
        var template = countdown.getAttribute(left > 60 ? "data-warn-minutes" : "data-warn-seconds");
        say(template.replace("%(n)s", left > 60 ? Math.ceil(left / 60) : left));
      }
    });
  }

  if (channel) {
    channel.onmessage = function (event) {
      if (event.data && event.data.expiresAt !== expiresAt && window.htmx) {
        window.htmx.trigger("#cart-timer", "refresh");
      }
    };
  }
  document.addEventListener("htmx:afterSwap", read);
  read();
  // Warnings already past when the page loads are not all given at once: only the nearest.
  tick();
  window.setInterval(tick, 1000);
})();
