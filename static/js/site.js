// Progressive enhancements only: every page works without this file.
(function () {
  // Remember the browser's time zone so the server can show times in it.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("gw_tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "gw_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* old browser: times stay in UTC */ }

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });
})();
