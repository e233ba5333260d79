// calvault's one script: optional comforts; every page works without it.
(function () {
  "use strict";
  // The pages show times in the browser's zone: tell the server which one it is.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("cv_tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "cv_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* no Intl: the server uses UTC */ }

  document.addEventListener("DOMContentLoaded", function () {
    // An .ics chosen in a file input is read into the text area the form sends.
    document.querySelectorAll("input[type=file][data-fills]").forEach(function (input) {
      input.addEventListener("change", function () {
        var target = document.getElementById(input.getAttribute("data-fills"));
        var file = input.files && input.files[0];
        if (!target || !file) { return; }
        file.text().then(function (text) { target.value = text; });
      });
    });
    // Picking another calendar on the backups page shows its snapshots at once.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // All-day events have no times.
    var allDay = document.getElementById("all_day");
    if (allDay) {
      var sync = function () {
        document.querySelectorAll("input.timed").forEach(function (input) {
          input.disabled = allDay.checked;
        });
      };
      allDay.addEventListener("change", sync);
      sync();
    }
  });
})();
