// The room page over the live socket (static/js/live.js). Plain JavaScript (ES2018).
// Without it the page still reads history and posts through its form.
//
// Messages are upserted by id: an edit, a deletion or a reaction arrives as the same
// message again with a higher updated_sequence. The page keeps a watermark: the
// sequence up to which it has seen every change without a hole (a broadcast lost while
// Redis restarted leaves one), and sends it on every (re)connect, so the server sends
// what it missed; the server's room.opened moves the watermark to its last sequence. body_html is sanitised by the server and is the only HTML inserted;
// every other text goes in through textContent.
(function () {
  "use strict";

  var root = document.getElementById("chat-room");
  var live = window.GoodwordLive;
  if (!root || !live) return;

  var S = live.strings || {};
  var memberId = live.memberId;
  var roomId = Number(root.dataset.roomId);
  var latest = root.dataset.latest === "1";
  var canModerate = root.dataset.canModerate === "1";
  var hasMore = root.dataset.hasMore === "1";
  var reactions = (root.dataset.reactions || "").split(" ").filter(Boolean);
  var urls = {
    history: root.dataset.historyUrl,
    send: root.dataset.sendUrl,
    remove: root.dataset.deleteUrl,
    mute: root.dataset.muteUrl,
    credentials: root.dataset.credentialsUrl || "",
  };
  var expertBadgeTitle = root.dataset.expertBadgeTitle || "";

  var list = document.getElementById("chat-messages");
  var scroller = document.getElementById("chat-scroll");
  var olderLink = document.getElementById("chat-older");
  var emptyNote = document.getElementById("chat-empty");
  var typingBox = document.getElementById("chat-typing");
  var onlineList = document.getElementById("chat-online");
  var revokedNote = document.getElementById("chat-revoked");
  var form = document.getElementById("message-form");
  var textarea = form ? form.querySelector("textarea[name=body]") : null;
  var replyInput = form ? form.querySelector("input[name=reply_to]") : null;
  var photoInput = form ? form.querySelector("input[name=photo]") : null;
  var clientIdInput = form ? form.querySelector("input[name=client_id]") : null;
  var errorsBox = document.getElementById("chat-form-errors");
  var replyingBox = document.getElementById("chat-replying");
  var replyingText = document.getElementById("chat-replying-text");
  var replyCancel = document.getElementById("chat-reply-cancel");

  var TYPING_SEND_EVERY = 3000;
  var TYPING_SHOW_FOR = 5000;
  var SEND_TIMEOUT = 15000;
  var EXCERPT_LENGTH = 140; // as community.chat.payloads.excerpt
  var CLIENT_ID_PATTERN = /^[A-Za-z0-9-]{8,64}$/;

  var lastSeen = Number(root.dataset.lastSequence) || 0;
  // ref -> {kind: "send" | "edit" | "delete" | "react" | "open"}; typing and read frames
  // carry refs that are never pending, so their errors (a mute, say) stay quiet.
  var pending = {};
  var sources = {}; // message id -> Markdown source, for editing
  var held = {}; // message id -> an update that arrived while its author was editing it
  var refCounter = 0;
  var revoked = false;
  var gapPending = false;
  var reloading = null; // payloads that arrive while the latest page reloads
  var loadingOlder = false;
  var lastTypingSent = 0;
  var typers = {}; // member id -> {name, timer}
  var readTimer = null;
  var lastReadSent = 0;
  var quoteVersions = {}; // message id -> updated_sequence its reply quotes show

  // --- small helpers -------------------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function nextRef(kind, extra) {
    refCounter += 1;
    var ref = kind.charAt(0) + refCounter;
    pending[ref] = Object.assign({ kind: kind, at: Date.now() }, extra || {});
    return ref;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  var timeFormat = null;
  try {
    timeFormat = new Intl.DateTimeFormat(live.config.language || undefined, {
      timeZone: live.config.time_zone || undefined,
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
    });
  } catch (error) {
    try {
      timeFormat = new Intl.DateTimeFormat(undefined, {
        year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
      });
    } catch (ignored) {
      timeFormat = null;
    }
  }

  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    return timeFormat ? timeFormat.format(date) : date.toLocaleString();
  }

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
    // On a phone the page is taller than the window and the sticky composer covers the
    // end of the list: scroll the page until the list ends above the composer.
    if (form) {
      var overlap = scroller.getBoundingClientRect().bottom - form.getBoundingClientRect().top;
      if (overlap > 0) window.scrollBy(0, overlap);
    }
  }

  function showError(text) {
    if (!errorsBox) return;
    errorsBox.textContent = "";
    if (text) errorsBox.appendChild(element("p", "", text));
  }

  // --- one client_id per composed message ----------------------------------------------
  // The server saves a message once per client_id: a retry of the same message (after a
  // lost ack, a timeout, "not sent, try again", the HTTP fallback) reuses the id and gets
  // the message already saved. A frame carrying the id confirms it; the next message,
  // or a changed text, gets a new one.

  function newClientId() {
    var cryptoApi = window.crypto;
    if (cryptoApi && typeof cryptoApi.randomUUID === "function") {
      try {
        return cryptoApi.randomUUID();
      } catch (error) { /* not a secure context: fall through */ }
    }
    var bytes = new Uint8Array(16);
    if (cryptoApi && typeof cryptoApi.getRandomValues === "function") {
      cryptoApi.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
    }
    return Array.prototype.map.call(bytes, function (byte) {
      return (byte < 16 ? "0" : "") + byte.toString(16);
    }).join("");
  }

  // draft.id: the client_id of the message in the composer; draft.key: what was sent
  // with it (null until it is first sent).
  var draft = { id: "", key: null };

  function setDraftId(id) {
    draft.id = id;
    draft.key = null;
    if (clientIdInput) clientIdInput.value = id;
  }

  function composedKey(body) {
    var reply = replyInput && replyInput.value ? replyInput.value : "";
    var file = photoInput && photoInput.files && photoInput.files[0];
    var photo = file ? [file.name, file.size, file.lastModified].join("/") : "";
    return JSON.stringify([body, reply, photo]);
  }

  // The client_id to send `body` (trimmed) with: the same for every retry of the same
  // message, a new one when the member has made it a different message.
  function clientIdFor(body) {
    var key = composedKey(body);
    if (draft.key !== null && draft.key !== key) setDraftId(newClientId());
    draft.key = key;
    if (clientIdInput) clientIdInput.value = draft.id;
    return draft.id;
  }

  // A payload from the server: when it is the message saved for the draft's client_id,
  // the draft is done. Returns true when the composer still holds exactly that message.
  function confirmDraft(p) {
    if (!p || !p.client_id || p.client_id !== draft.id) return false;
    var unchanged =
      draft.key !== null && !!textarea && draft.key === composedKey(textarea.value.trim());
    // Its sends still waiting for an ack have their answer: no "not sent" for them.
    Object.keys(pending).forEach(function (ref) {
      if (pending[ref].kind === "send" && pending[ref].clientId === p.client_id) {
        clearTimeout(pending[ref].timer);
        delete pending[ref];
      }
    });
    setDraftId(newClientId());
    return unchanged;
  }

  // The form's hidden client_id stays as the server rendered it (a form shown again),
  // or gets a new id.
  var renderedId = clientIdInput ? clientIdInput.value : "";
  setDraftId(CLIENT_ID_PATTERN.test(renderedId) ? renderedId : newClientId());

  var aheadOfWatermark = {}; // sequences seen above a hole in what arrived

  function advanceWatermark() {
    Object.keys(aheadOfWatermark).forEach(function (key) {
      if (Number(key) <= lastSeen) delete aheadOfWatermark[key];
    });
    while (aheadOfWatermark[lastSeen + 1]) {
      delete aheadOfWatermark[lastSeen + 1];
      lastSeen += 1;
    }
    live.seen(roomId, lastSeen);
  }

  // One change arrived live: the watermark moves only over an unbroken run.
  function noteSeen(sequence) {
    if (sequence > lastSeen) aheadOfWatermark[sequence] = true;
    advanceWatermark();
  }

  // The server vouches that everything up to `sequence` has been sent to this page.
  function noteSeenUpTo(sequence) {
    if (sequence > lastSeen) lastSeen = sequence;
    advanceWatermark();
  }

  // --- rendering a message (the same markup as templates/chat/_message.html) -----------

  function actionLink(text, href, action) {
    var link = element("a", "", text);
    link.href = href;
    if (action) link.setAttribute("data-action", action);
    return link;
  }

  function actionButton(text, action) {
    var button = element("button", "link", text);
    button.type = "button";
    button.setAttribute("data-action", action);
    return button;
  }

  // The expert badge after an author's name, as templates/chat/_message.html renders
  // it: "Brand employee · RoadGrip", linked to the public credentials. Text only.
  function appendExpertLabel(parent, person) {
    if (!person || !person.expert_label) return;
    parent.appendChild(document.createTextNode(" "));
    var badge;
    if (urls.credentials) {
      badge = actionLink(person.expert_label, urls.credentials.replace("/0/", "/" + person.id + "/"));
      if (expertBadgeTitle) badge.title = expertBadgeTitle;
    } else {
      badge = element("span", "", person.expert_label);
    }
    badge.className = "expert-badge chat-expert-label";
    parent.appendChild(badge);
  }

  function render(p) {
    if (typeof p.body === "string") sources[p.id] = p.body;
    var mine = !!(p.author && p.author.id === memberId);
    var item = element("li", "chat-message" + (mine ? " mine" : "") + (p.deleted ? " deleted" : ""));
    item.id = "m-" + p.id;
    item.dataset.id = p.id;
    item.dataset.sequence = p.sequence;
    item.dataset.updatedSequence = p.updated_sequence;
    item.dataset.authorId = p.author ? p.author.id : "";

    var meta = element("p", "chat-meta");
    if (p.author) {
      var author = actionLink(p.author.name, p.author.url);
      author.className = "chat-author";
      meta.appendChild(author);
      appendExpertLabel(meta, p.author);
    } else {
      meta.appendChild(element("span", "chat-author muted", S.former_member || "—"));
    }
    meta.appendChild(document.createTextNode(" "));
    var timeLink = actionLink("", "#m-" + p.id);
    timeLink.className = "chat-time";
    var time = element("time", "", formatTime(p.created_at));
    time.setAttribute("datetime", p.created_at);
    timeLink.appendChild(time);
    meta.appendChild(timeLink);
    if (p.edited) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(element("span", "chat-edited muted", "(" + S.edited + ")"));
    }
    item.appendChild(meta);

    if (p.reply_to) {
      var quote = element("blockquote", "chat-quote small");
      quote.appendChild(actionLink(p.reply_to.author_name || "—", "#m-" + p.reply_to.id));
      if (p.reply_to.author_label) {
        quote.appendChild(document.createTextNode(" "));
        quote.appendChild(element("span", "chat-expert-label", p.reply_to.author_label));
      }
      quote.appendChild(document.createTextNode(": "));
      if (p.reply_to.deleted) quote.appendChild(element("em", "", S.deleted));
      else quote.appendChild(document.createTextNode(p.reply_to.excerpt || ""));
      item.appendChild(quote);
    }

    if (p.deleted) {
      var gone = element("p", "chat-body chat-deleted muted");
      gone.appendChild(element("em", "", S.deleted));
      item.appendChild(gone);
      return item;
    }

    var body = element("div", "chat-body prose");
    body.innerHTML = p.body_html; // sanitised by the server (community.text)
    item.appendChild(body);

    if (p.photo) {
      var photoLink = actionLink("", p.photo.large);
      photoLink.className = "chat-photo";
      var image = element("img");
      image.src = p.photo.thumb;
      image.alt = S.photo || "";
      image.loading = "lazy";
      var width = Math.min(320, p.photo.width || 320);
      image.width = width;
      if (p.photo.width) image.height = Math.round((p.photo.height * width) / p.photo.width);
      photoLink.appendChild(image);
      item.appendChild(photoLink);
    }

    var reactionBox = element("div", "chat-reactions");
    (p.reactions || []).forEach(function (reaction) {
      var pressed = (reaction.members || []).indexOf(memberId) !== -1;
      var button = element("button", "chat-reaction" + (pressed ? " pressed" : ""));
      button.type = "button";
      button.setAttribute("data-action", "react");
      button.setAttribute("data-emoji", reaction.emoji);
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.title = (S.react || "%s").replace("%s", reaction.emoji);
      button.appendChild(document.createTextNode(reaction.emoji + " "));
      button.appendChild(element("span", "chat-reaction-count", String(reaction.count)));
      reactionBox.appendChild(button);
    });
    item.appendChild(reactionBox);

    var actions = element("p", "chat-actions small");
    actions.appendChild(actionLink(S.reply, "?reply_to=" + p.id + "#message-form", "reply"));
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(actionButton(S.react_button || "☺", "pick"));
    if (mine) {
      actions.appendChild(document.createTextNode(" "));
      actions.appendChild(actionButton(S.edit, "edit"));
    }
    if (mine || canModerate) {
      actions.appendChild(document.createTextNode(" "));
      actions.appendChild(actionLink(S.delete, urls.remove.replace("/0/", "/" + p.id + "/"), "delete"));
    }
    if (canModerate && p.author && !mine) {
      actions.appendChild(document.createTextNode(" "));
      actions.appendChild(actionLink(S.mute, urls.mute + "?member=" + p.author.id));
    }
    item.appendChild(actions);
    return item;
  }

  // Collapsed whitespace, at most EXCERPT_LENGTH characters (community.chat.payloads).
  function excerptOf(text) {
    var flat = String(text || "").split(/\s+/).filter(Boolean).join(" ");
    var chars = Array.from(flat);
    if (chars.length <= EXCERPT_LENGTH) return flat;
    return chars.slice(0, EXCERPT_LENGTH - 1).join("") + "…";
  }

  // A message was deleted or edited: every reply quote of it on the page follows.
  function refreshQuotes(p) {
    if (!p || !(p.deleted || p.edited)) return;
    var key = String(p.id);
    if (key in quoteVersions && quoteVersions[key] >= p.updated_sequence) return;
    quoteVersions[key] = p.updated_sequence;
    var links = list.querySelectorAll('.chat-quote > a[href="#m-' + Number(p.id) + '"]');
    links.forEach(function (link) {
      var quote = link.parentNode;
      while (link.nextSibling) quote.removeChild(link.nextSibling);
      quote.appendChild(document.createTextNode(": "));
      if (p.deleted) quote.appendChild(element("em", "", S.deleted));
      else quote.appendChild(document.createTextNode(excerptOf(p.body)));
    });
  }

  function firstSequence() {
    var first = list.firstElementChild;
    return first ? Number(first.dataset.sequence) : null;
  }

  // Insert or replace a message; returns the element, or null when it is not shown here.
  function upsert(p) {
    if (!p || p.room !== roomId) return null;
    refreshQuotes(p); // the quoted message itself may be on another page
    var existing = document.getElementById("m-" + p.id);
    if (existing) {
      if (Number(existing.dataset.updatedSequence) > p.updated_sequence) return existing;
      if (existing.classList.contains("editing") && !p.deleted) {
        held[p.id] = p; // applied when the editor closes
        return existing;
      }
      var fresh = render(p);
      existing.replaceWith(fresh);
      return fresh;
    }
    if (!latest) return null; // an older page: new messages do not belong here
    var first = firstSequence();
    if (first !== null && p.sequence < first && hasMore) return null; // not on this page
    var item = render(p);
    var after = list.lastElementChild;
    while (after && Number(after.dataset.sequence) > p.sequence) after = after.previousElementSibling;
    if (after) after.after(item);
    else list.prepend(item);
    if (emptyNote) emptyNote.hidden = true;
    return item;
  }

  // --- receiving -----------------------------------------------------------------------

  function onMessage(frame) {
    if (frame.room !== roomId) return;
    var p = frame.message;
    if (reloading) reloading.push(p);
    // Ours, confirmed by the broadcast or a catch-up (the ack may be lost, or late
    // after "not sent"): a message still in the composer was sent after all.
    var ours = !!(p && p.client_id && p.client_id === draft.id);
    if (confirmDraft(p)) resetForm();
    var stick = nearBottom() || ours;
    var shown = upsert(p);
    noteSeen(p.updated_sequence);
    var isNew = p.sequence === p.updated_sequence && !p.deleted;
    if (p.author) stopTyping(p.author.id);
    if (shown && isNew && stick) scrollToBottom();
    // Only the latest page sends read marks: an older page leaves the badge counting.
    if (latest && !revoked && isNew && p.author && p.author.id !== memberId &&
        document.visibilityState === "visible") {
      frame.handled = true; // seen on screen: no unread badge for it
      scheduleRead();
    }
  }

  function sendRead() {
    readTimer = null;
    if (!latest || revoked || document.visibilityState !== "visible") return;
    if (lastSeen <= lastReadSent) return;
    if (live.send({ type: "read", room: roomId, sequence: lastSeen, ref: "read" })) {
      lastReadSent = lastSeen;
    }
  }

  // Read marks go out shortly after messages arrive (one frame for a burst), and at
  // once when the member leaves the page.
  function scheduleRead() {
    if (!latest || revoked) return;
    clearTimeout(readTimer);
    readTimer = setTimeout(sendRead, 200);
  }

  function openRoom() {
    if (revoked) return;
    live.send({ type: "room.open", room: roomId, after: lastSeen, ref: nextRef("open") });
  }

  function revoke() {
    revoked = true;
    if (revokedNote) revokedNote.hidden = false;
    if (form) {
      Array.prototype.forEach.call(form.elements, function (field) { field.disabled = true; });
    }
    typingBox.textContent = "";
  }

  function renderOnline(people) {
    if (!onlineList) return;
    onlineList.textContent = "";
    if (!people || !people.length) {
      onlineList.appendChild(element("li", "muted chat-online-empty", S.nobody_online));
      return;
    }
    people.forEach(function (person) {
      var item = element("li", "", person.name);
      if (person.expert_label) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(element("span", "chat-expert-label", person.expert_label));
      }
      item.dataset.memberId = person.id;
      onlineList.appendChild(item);
    });
  }

  function renderTyping() {
    var names = Object.keys(typers).map(function (key) { return typers[key].name; });
    if (!names.length) typingBox.textContent = "";
    else if (names.length === 1) typingBox.textContent = S.typing_one.replace("%s", names[0]);
    else typingBox.textContent = S.typing_many;
  }

  function stopTyping(id) {
    var key = String(id);
    if (typers[key]) {
      clearTimeout(typers[key].timer);
      delete typers[key];
      renderTyping();
    }
  }

  function onTyping(frame) {
    if (frame.room !== roomId || !frame.member || frame.member.id === memberId) return;
    var key = String(frame.member.id);
    if (typers[key]) clearTimeout(typers[key].timer);
    typers[key] = {
      name: frame.member.name,
      timer: setTimeout(function () { stopTyping(key); }, TYPING_SHOW_FOR),
    };
    renderTyping();
  }

  function clearReply() {
    if (replyInput) replyInput.value = "";
    if (replyingBox) replyingBox.hidden = true;
  }

  function resetForm() {
    if (textarea) textarea.value = "";
    if (photoInput) photoInput.value = "";
    clearReply();
    showError("");
  }

  function onAck(frame) {
    var request = pending[frame.ref];
    var unchanged = confirmDraft(frame.message);
    if (!request) {
      // A late ack after "not sent": the message was saved after all.
      if (unchanged) resetForm();
      if (frame.message) upsert(frame.message);
      return;
    }
    delete pending[frame.ref];
    if (request.kind === "send") {
      clearTimeout(request.timer);
      if (unchanged || (textarea && textarea.value === request.body)) resetForm();
      else showError("");
    }
    var stick = nearBottom() || request.kind === "send";
    var shown = upsert(frame.message);
    if (shown && stick && request.kind === "send") scrollToBottom();
  }

  function onError(frame) {
    var request = frame.ref !== undefined ? pending[frame.ref] : null;
    if (!request) return; // typing and other fire-and-forget frames are not reported
    delete pending[frame.ref];
    if (request.kind === "open") {
      if (frame.code === "not_found" || frame.code === "forbidden") revoke();
      else if (frame.code === "sequence_ahead") reloadLatest(0);
      return;
    }
    if (request.kind === "send") clearTimeout(request.timer);
    showError(frame.message || S.send_failed);
  }

  // --- history over HTTP -----------------------------------------------------------------

  function fetchHistory(before) {
    var url = urls.history + (before ? "?before=" + encodeURIComponent(before) : "");
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    });
  }

  function setHasMore(value) {
    hasMore = !!value;
    if (!olderLink) return;
    olderLink.parentElement.hidden = !hasMore;
    var first = firstSequence();
    if (first !== null) olderLink.href = "?before=" + first;
  }

  function loadOlder() {
    if (loadingOlder || !hasMore) return;
    var before = firstSequence();
    if (before === null) return;
    loadingOlder = true;
    if (olderLink) olderLink.textContent = S.loading;
    var oldHeight = scroller.scrollHeight;
    var oldTop = scroller.scrollTop;
    fetchHistory(before)
      .then(function (data) {
        var messages = data.messages || [];
        for (var i = messages.length - 1; i >= 0; i -= 1) {
          if (!document.getElementById("m-" + messages[i].id)) list.prepend(render(messages[i]));
        }
        setHasMore(data.has_more);
        scroller.scrollTop = oldTop + (scroller.scrollHeight - oldHeight);
      })
      .catch(function () { showError(S.load_failed); })
      .then(function () {
        loadingOlder = false;
        if (olderLink) olderLink.textContent = S.load_older;
      });
  }

  // The page is too far behind (a gap) or ahead (the server lost sequences): show the
  // latest page afresh, keeping anything that arrived live meanwhile.
  function reloadLatest(atLeast) {
    if (reloading || !latest) return;
    reloading = [];
    fetchHistory(null)
      .then(function (data) {
        var arrived = reloading;
        reloading = null;
        list.textContent = "";
        var highest = 0;
        (data.messages || []).forEach(function (p) {
          if (confirmDraft(p)) resetForm();
          list.appendChild(render(p));
          if (p.updated_sequence > highest) highest = p.updated_sequence;
        });
        arrived.forEach(upsert);
        setHasMore(data.has_more);
        if (emptyNote) emptyNote.hidden = list.children.length > 0;
        noteSeenUpTo(Math.max(highest, atLeast || 0));
        scrollToBottom();
        if (!atLeast) openRoom();
        scheduleRead();
      })
      .catch(function () {
        reloading = null;
        showError(S.load_failed);
      });
  }

  // --- sending -------------------------------------------------------------------------

  function sendOverHttp() {
    var data = new FormData(form);
    var sentKey = draft.key;
    data.set("client_id", draft.id); // the same id as any socket attempt of this message
    showError("");
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(urls.send, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.ok && result.body.message) {
          var unchanged = confirmDraft(result.body.message);
          // Not when the member has started another message meanwhile (or the broadcast
          // already emptied the composer).
          if (unchanged || (sentKey !== null && sentKey === composedKey(textarea.value.trim()))) {
            resetForm();
          } else {
            showError("");
          }
          if (upsert(result.body.message)) scrollToBottom();
        } else {
          var error = result.body && result.body.error;
          showError((error && error.message) || S.send_failed);
        }
      })
      .catch(function () { showError(S.send_failed); })
      .then(function () { if (button) button.disabled = false; });
  }

  function submit() {
    if (!form || revoked) return;
    var body = textarea.value.trim();
    var hasPhoto = photoInput && photoInput.files && photoInput.files.length > 0;
    if (!body && !hasPhoto) return;
    var clientId = clientIdFor(body);
    if (hasPhoto || live.state !== "open") {
      sendOverHttp();
      return;
    }
    var reply = replyInput && replyInput.value ? Number(replyInput.value) : null;
    var ref = nextRef("send", { body: textarea.value, clientId: clientId });
    var sent = live.send({
      type: "message.send",
      room: roomId,
      body: body,
      reply_to: reply,
      client_id: clientId,
      ref: ref,
    });
    if (!sent) {
      delete pending[ref];
      sendOverHttp();
      return;
    }
    pending[ref].timer = setTimeout(function () {
      if (pending[ref]) {
        delete pending[ref];
        showError(S.send_failed);
      }
    }, SEND_TIMEOUT);
  }

  function sendTyping() {
    var now = Date.now();
    if (now - lastTypingSent < TYPING_SEND_EVERY || !textarea.value.trim()) return;
    if (live.send({ type: "typing", room: roomId, ref: "typing" })) lastTypingSent = now;
  }

  // --- actions on a message --------------------------------------------------------------

  function messageOf(node) {
    var item = node.closest(".chat-message");
    return item ? { item: item, id: Number(item.dataset.id) } : null;
  }

  function startReply(target) {
    if (!form || !replyInput) return false;
    var item = target.item;
    replyInput.value = target.id;
    var author = item.querySelector(".chat-author");
    var body = item.querySelector(".chat-body");
    var excerpt = body ? body.textContent.trim().replace(/\s+/g, " ") : "";
    if (excerpt.length > 80) excerpt = excerpt.slice(0, 79) + "…";
    if (replyingText) {
      replyingText.textContent =
        S.replying_to.replace("%s", author ? author.textContent : "—") + ": " + excerpt;
    }
    if (replyingBox) replyingBox.hidden = false;
    textarea.focus();
    return true;
  }

  function startEdit(target) {
    var item = target.item;
    var body = item.querySelector(".chat-body");
    if (!body || item.classList.contains("editing") || live.state !== "open") {
      if (live.state !== "open") showError(S.send_failed);
      return;
    }
    item.classList.add("editing");
    var editor = element("form", "chat-edit");
    var field = element("textarea");
    field.rows = 3;
    field.maxLength = live.config.max_length || 4000;
    field.value = "";
    var save = element("button", "small primary", S.save);
    save.type = "submit";
    var cancel = element("button", "small", S.cancel);
    cancel.type = "button";
    editor.appendChild(field);
    editor.appendChild(save);
    editor.appendChild(cancel);
    body.hidden = true;
    body.after(editor);
    if (typeof sources[target.id] === "string") {
      field.value = sources[target.id];
      setTimeout(function () { field.focus(); }, 0);
    } else {
      // A message rendered by the server: its Markdown source comes with its history page.
      field.disabled = true;
      fetchHistory(Number(item.dataset.sequence) + 1)
        .then(function (data) {
          var match = (data.messages || []).filter(function (p) { return p.id === target.id; })[0];
          field.value = match ? match.body : body.textContent.trim();
        })
        .catch(function () { field.value = body.textContent.trim(); })
        .then(function () {
          field.disabled = false;
          field.focus();
        });
    }
    function close() {
      editor.remove();
      body.hidden = false;
      item.classList.remove("editing");
      var pending = held[target.id];
      delete held[target.id];
      if (pending) upsert(pending);
    }
    cancel.addEventListener("click", close);
    field.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (editor.requestSubmit) editor.requestSubmit();
        else save.click();
      }
    });
    editor.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = field.value.trim();
      if (!text) return;
      var ref = nextRef("edit");
      if (live.send({ type: "message.edit", message: target.id, body: text, ref: ref })) {
        close();
      } else {
        delete pending[ref];
        showError(S.send_failed);
      }
    });
  }

  function togglePicker(target, button) {
    var open = target.item.querySelector(".chat-picker");
    if (open) {
      open.remove();
      button.setAttribute("aria-expanded", "false");
      return;
    }
    var picker = element("span", "chat-picker");
    reactions.forEach(function (emoji) {
      var choice = element("button", "chat-reaction", emoji);
      choice.type = "button";
      choice.setAttribute("data-action", "react");
      choice.setAttribute("data-emoji", emoji);
      choice.title = (S.react || "%s").replace("%s", emoji);
      picker.appendChild(choice);
    });
    button.setAttribute("aria-expanded", "true");
    button.after(picker);
  }

  list.addEventListener("click", function (event) {
    var control = event.target.closest("[data-action]");
    if (!control || !list.contains(control)) return;
    var target = messageOf(control);
    if (!target) return;
    var action = control.getAttribute("data-action");
    if (action === "reply") {
      if (startReply(target)) event.preventDefault();
    } else if (action === "edit") {
      startEdit(target);
    } else if (action === "pick") {
      togglePicker(target, control);
    } else if (action === "react") {
      if (revoked) return;
      var ref = nextRef("react");
      var emoji = control.getAttribute("data-emoji");
      if (!live.send({ type: "reaction.toggle", message: target.id, emoji: emoji, ref: ref })) {
        delete pending[ref];
        showError(S.send_failed);
      }
      var picker = control.closest(".chat-picker");
      if (picker) picker.remove();
    } else if (action === "delete") {
      // Moderators deleting someone else's message give a reason on the confirm page.
      var own = Number(target.item.dataset.authorId) === memberId;
      if (!own || live.state !== "open") return;
      event.preventDefault();
      if (!window.confirm(S.confirm_delete)) return;
      var deleteRef = nextRef("delete");
      if (!live.send({ type: "message.delete", message: target.id, reason: "", ref: deleteRef })) {
        delete pending[deleteRef];
        window.location.href = control.href;
      }
    }
  });

  // --- wiring ----------------------------------------------------------------------------

  document.querySelectorAll("#chat-room .js-only").forEach(function (node) { node.hidden = false; });
  list.querySelectorAll("time[datetime]").forEach(function (time) {
    var text = formatTime(time.getAttribute("datetime"));
    if (text) time.textContent = text;
  });
  list.querySelectorAll(".chat-message").forEach(function (item) {
    var updated = Number(item.dataset.updatedSequence) || 0;
    if (updated > lastSeen) lastSeen = updated;
  });
  live.seen(roomId, lastSeen);

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submit();
      }
    });
    textarea.addEventListener("input", sendTyping);
    if (replyCancel) {
      replyCancel.addEventListener("click", function (event) {
        event.preventDefault();
        clearReply();
        textarea.focus();
      });
    }
  }

  if (olderLink) {
    olderLink.addEventListener("click", function (event) {
      event.preventDefault();
      loadOlder();
    });
  }
  scroller.addEventListener("scroll", function () {
    if (scroller.scrollTop < 120) loadOlder();
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") scheduleRead();
  });
  window.addEventListener("pagehide", function () {
    if (readTimer) {
      clearTimeout(readTimer);
      sendRead();
    }
  });

  live.on("hello", openRoom);
  live.on("resync", function (frame) { if (frame.room === roomId) openRoom(); });
  live.on("message", onMessage);
  live.on("ack", onAck);
  live.on("error", onError);
  live.on("typing", onTyping);
  // Presence arrives whole with room.opened, then as changes: one member joined or left.
  var online = [];
  function setOnline(people) {
    online = (people || []).slice();
    renderOnline(online);
  }
  live.on("presence", function (frame) {
    if (frame.room !== roomId) return;
    if (frame.online) return setOnline(frame.online);
    if (frame.joined && !online.some(function (p) { return p.id === frame.joined.id; })) {
      online.push(frame.joined);
      online.sort(function (a, b) { return a.name.localeCompare(b.name); });
    }
    if (frame.left) online = online.filter(function (p) { return p.id !== frame.left; });
    renderOnline(online);
  });
  live.on("room.gap", function (frame) { if (frame.room === roomId) gapPending = true; });
  live.on("room.opened", function (frame) {
    if (frame.room !== roomId) return;
    delete pending[frame.ref];
    setOnline(frame.online);
    if (gapPending) {
      gapPending = false;
      reloadLatest(frame.last_sequence);
      return;
    }
    noteSeenUpTo(frame.last_sequence);
    scheduleRead();
  });
  live.on("room.revoked", function (frame) { if (frame.room === roomId) revoke(); });
  live.on("notification", function (frame) {
    // A notification about this very room, read on screen right now, needs no toast.
    // `url` is the target (open_url, the link that marks it read, goes to the toast).
    var target = typeof frame.url === "string" ? frame.url.split("#")[0].split("?")[0] : "";
    if (target && target === window.location.pathname && document.visibilityState === "visible") {
      frame.handled = true;
    }
  });
  live.on("state", function (change) {
    if (change.state !== "open") {
      typers = {};
      renderTyping();
    }
  });

  if (live.state === "open") openRoom();
  if (latest && !window.location.hash) scrollToBottom();
  else if (window.location.hash) {
    var anchor = document.getElementById(window.location.hash.slice(1));
    if (anchor) anchor.scrollIntoView({ block: "center" });
  }
})();
