// The live socket of a signed-in member: one WebSocket per tab, for chat and
// notifications. Plain JavaScript (ES2018), no build step; every page works without it.
//
// It keeps the navigation badges current, shows notifications as small toasts, and
// exposes window.GoodwordLive for the room page (static/js/chat.js):
//   GoodwordLive.on(type, fn)  -> off()   frames by "type", plus "state", "resync", "frame"
//   GoodwordLive.send(frame)   -> bool    false when the socket is not open
//   GoodwordLive.seen(room, n)            the highest sequence the page has for a room
//   GoodwordLive.state, .memberId, .config, .strings
(function () {
  "use strict";

  var configElement = document.getElementById("live-config");
  if (!configElement || !("WebSocket" in window)) return;
  var config;
  try {
    config = JSON.parse(configElement.textContent);
  } catch (error) {
    return;
  }
  if (!config || !config.member_id) return;
  var S = config.strings || {};

  var PING_EVERY = 25000;
  var SILENCE_LIMIT = 70000; // no frame for this long: the connection is dead
  var BACKOFF_MIN = 1000;
  var BACKOFF_MAX = 30000;
  var CLOSE_LOGIN_REQUIRED = 4401;
  var CLOSE_TOO_MANY = 4008;

  var handlers = {};
  var socket = null;
  var attempt = 0;
  var stopped = false;
  var pingTimer = null;
  var reconnectTimer = null;
  var lastFrameAt = 0;
  var seenByRoom = {}; // room id -> highest sequence the page has seen (set by chat.js)
  var followed = {}; // room id -> whether its new messages count as unread
  // Rooms in the member's list (hello, room.added). A site moderator may have a club room
  // open that is not in it: the server counts no unread there, so neither does the badge.
  var listed = {};

  var api = {
    state: "closed",
    memberId: config.member_id,
    config: config,
    strings: S,
    on: on,
    send: send,
    seen: function (roomId, sequence) {
      var key = String(roomId);
      if (!(key in seenByRoom) || sequence > seenByRoom[key]) seenByRoom[key] = sequence;
    },
    reconnect: function () {
      if (stopped) return;
      if (socket) socket.close();
      else connectNow();
    },
  };
  window.GoodwordLive = api;

  // --- events for the page -------------------------------------------------------------

  function on(type, fn) {
    (handlers[type] = handlers[type] || []).push(fn);
    return function off() {
      handlers[type] = (handlers[type] || []).filter(function (other) { return other !== fn; });
    };
  }

  function emit(type, data) {
    (handlers[type] || []).slice().forEach(function (fn) {
      try {
        fn(data);
      } catch (error) {
        if (window.console) console.error(error);
      }
    });
  }

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN || api.state !== "open") return false;
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch (error) {
      return false;
    }
  }

  // --- connection state ----------------------------------------------------------------

  var STATE_TEXT = {
    connecting: S.connecting,
    open: S.online,
    reconnecting: S.reconnecting,
    closed: S.offline,
  };

  function setState(next, reason) {
    api.state = next;
    document.querySelectorAll("[data-live-state]").forEach(function (element) {
      element.hidden = false;
      element.setAttribute("data-state", next);
      element.textContent = reason || STATE_TEXT[next] || next;
    });
    emit("state", { state: next, reason: reason || "" });
  }

  function socketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + (config.ws_path || "/ws/live/");
  }

  function connectNow() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (stopped || socket) return;
    setState(attempt ? "reconnecting" : "connecting");
    var current;
    try {
      current = new WebSocket(socketUrl());
    } catch (error) {
      scheduleReconnect();
      return;
    }
    socket = current;
    current.onmessage = function (event) {
      if (current !== socket) return;
      lastFrameAt = Date.now();
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (frame && typeof frame.type === "string") handle(frame);
    };
    current.onclose = function (event) {
      if (current !== socket) return;
      socket = null;
      clearInterval(pingTimer);
      pingTimer = null;
      if (event.code === CLOSE_LOGIN_REQUIRED || event.code === CLOSE_TOO_MANY) {
        stopped = true;
        setState(
          "closed",
          event.code === CLOSE_LOGIN_REQUIRED ? S.login_required : S.too_many_connections
        );
        return;
      }
      scheduleReconnect();
    };
    current.onerror = function () { /* a close event follows */ };
  }

  function scheduleReconnect() {
    if (stopped) return;
    attempt += 1;
    var ceiling = Math.min(BACKOFF_MAX, BACKOFF_MIN * Math.pow(2, attempt - 1));
    var delay = ceiling / 2 + Math.random() * (ceiling / 2); // "equal jitter"
    setState("reconnecting");
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connectNow, delay);
  }

  function startPing() {
    clearInterval(pingTimer);
    pingTimer = setInterval(function () {
      if (!socket) return;
      if (Date.now() - lastFrameAt > SILENCE_LIMIT) {
        socket.close(); // onclose reconnects
        return;
      }
      send({ type: "ping" });
    }, PING_EVERY);
  }

  // The network is gone (a phone in a tunnel): the open socket may not notice for a
  // long time, so drop it now, show "Reconnecting…", and reconnect on "online".
  window.addEventListener("offline", function () {
    if (!socket) return;
    var dead = socket;
    socket = null; // its own close event, whenever it comes, is ignored
    clearInterval(pingTimer);
    pingTimer = null;
    try {
      dead.close();
    } catch (error) { /* already closing */ }
    scheduleReconnect();
  });

  // Back online, or back to a tab that slept: try at once instead of waiting.
  window.addEventListener("online", function () {
    if (!socket && !stopped) {
      attempt = 0;
      connectNow();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !socket && !stopped && reconnectTimer) {
      connectNow();
    }
  });

  // --- badges and toasts ---------------------------------------------------------------

  function setBadge(element, count) {
    if (!element) return;
    var number = Math.max(0, Number(count) || 0);
    element.textContent = String(number);
    element.hidden = number === 0;
    if (S.unread) element.setAttribute("aria-label", S.unread.replace("%s", number));
  }

  function setChatTotal(count) {
    document.querySelectorAll(".nav-chat-unread").forEach(function (element) {
      setBadge(element, count);
    });
  }

  function setNotificationTotal(count) {
    document.querySelectorAll(".nav-notifications-unread").forEach(function (element) {
      setBadge(element, count);
    });
  }

  function setRoomUnread(roomId, count) {
    document.querySelectorAll('[data-room-unread="' + Number(roomId) + '"]').forEach(
      function (element) {
        setBadge(element, count);
        var item = element.closest("[data-room-id]");
        if (item) item.classList.toggle("has-unread", Number(count) > 0);
      }
    );
  }

  function badgeNumber(selector) {
    var element = document.querySelector(selector);
    return element ? Number(element.textContent) || 0 : 0;
  }

  function safeUrl(url) {
    // Notifications link inside the site only.
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : "";
  }

  function toast(frame) {
    var box = document.getElementById("live-toasts");
    if (!box || !frame.text) return;
    var item = document.createElement("div");
    item.className = "live-toast";
    item.setAttribute("role", "status");
    // open_url marks the notification read on the way to its target (url).
    var url = safeUrl(frame.open_url) || safeUrl(frame.url);
    var text = document.createElement(url ? "a" : "span");
    text.className = "live-toast-text";
    text.textContent = frame.text;
    if (url) text.href = url;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link live-toast-close";
    close.setAttribute("aria-label", S.close || "Close");
    close.textContent = "×";
    close.addEventListener("click", function () { item.remove(); });
    item.appendChild(text);
    item.appendChild(close);
    box.appendChild(item);
    while (box.children.length > 3) box.firstElementChild.remove();
    setTimeout(function () { item.remove(); }, 8000);
  }

  // --- frames from the server ----------------------------------------------------------

  function countNewMessage(frame) {
    // A new message by someone else in a followed room, not on screen: one more unread.
    // (The room page marks it read at once and the server then sends the real counts.)
    var message = frame.message || {};
    if (frame.catchup || message.deleted) return;
    if (message.sequence !== message.updated_sequence) return; // an edit or a reaction
    if (message.author && message.author.id === config.member_id) return;
    if (!listed[String(frame.room)] || followed[String(frame.room)] === false) return;
    if (frame.handled) return;
    var badge = document.querySelector('[data-room-unread="' + Number(frame.room) + '"]');
    if (badge) setRoomUnread(frame.room, (Number(badge.textContent) || 0) + 1);
    setChatTotal(badgeNumber(".nav-chat-unread") + 1);
  }

  function handle(frame) {
    switch (frame.type) {
      case "hello":
        attempt = 0;
        setState("open");
        startPing();
        setChatTotal(frame.unread_total);
        setNotificationTotal(frame.notifications_unread);
        listed = {};
        (frame.rooms || []).forEach(function (room) {
          listed[String(room.id)] = true;
          setRoomUnread(room.id, room.unread);
          if (typeof room.followed === "boolean") followed[String(room.id)] = room.followed;
        });
        break;
      case "unread":
        if (typeof frame.unread_total === "number") setChatTotal(frame.unread_total);
        if (typeof frame.notifications_unread === "number") {
          setNotificationTotal(frame.notifications_unread);
        }
        setRoomUnread(frame.room, frame.unread);
        break;
      case "room.added":
        if (frame.room) {
          listed[String(frame.room.id)] = true;
          setRoomUnread(frame.room.id, frame.room.unread);
          followed[String(frame.room.id)] = frame.room.followed !== false;
        }
        break;
      case "room.opened":
        // Opening a room subscribes the member to it: from now on it counts unread.
        followed[String(frame.room)] = true;
        break;
      case "room.revoked":
        delete listed[String(frame.room)];
        break;
      case "pong":
        // Also the rooms this socket has open outside the member's list (a moderator in
        // a club room): every room a page follows (seen) gets its resync.
        Object.keys(frame.rooms || {}).forEach(function (key) {
          var server = Number(frame.rooms[key]);
          if (key in seenByRoom && server > seenByRoom[key]) {
            emit("resync", { room: Number(key), last_sequence: server });
          }
        });
        break;
      default:
        break;
    }
    emit(frame.type, frame); // the page's handlers first: they may mark it handled
    if (frame.type === "message") countNewMessage(frame);
    if (frame.type === "notification") {
      if (typeof frame.unread === "number") setNotificationTotal(frame.unread);
      if (!frame.handled) toast(frame);
    }
    emit("frame", frame);
  }

  connectNow();
})();
