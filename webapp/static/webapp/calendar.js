/* The calendar: FullCalendar fed by the server's JSON feed, in the user's time zone. A dragged post is
   rescheduled by the server (the scheduling service); when it refuses, the post goes back. */
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  // With a named time zone and no tz plugin FullCalendar uses "UTC coercion": the Date's UTC fields
  // are the wall-clock time in that zone. Send that wall-clock time; the server reads it in the zone.
  function wallTime(date) {
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()) +
      "T" + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes()) + ":" + pad(date.getUTCSeconds());
  }
  function quietIcons(root) {
    root.querySelectorAll(".fc-icon").forEach(function (icon) { icon.setAttribute("aria-hidden", "true"); icon.removeAttribute("role"); });
  }
  function idUrl(template, id) { return template.replace("/0/", "/" + id + "/"); }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("calendar");
    if (!el || !window.FullCalendar) { return; }
    var message = document.getElementById("calendar-message");
    var panel = document.getElementById("post-panel");
    var filters = document.getElementById("calendar-filters");
    var phone = window.matchMedia("(max-width: 700px)");
    var narrow = phone.matches;
    var toolbars = {
      wide: { header: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" }, footer: false },
      narrow: { header: { left: "prev,next", center: "title", right: "today" }, footer: { center: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" } }
    };

    var calendar = new FullCalendar.Calendar(el, {
      timeZone: el.dataset.timezone,
      initialView: narrow ? "listWeek" : "dayGridMonth",
      headerToolbar: toolbars[narrow ? "narrow" : "wide"].header,
      footerToolbar: toolbars[narrow ? "narrow" : "wide"].footer,
      buttonText: { today: "Today", month: "Month", week: "Week", day: "Day", list: "List" },
      firstDay: 1,
      height: "auto",
      nowIndicator: true,
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventDurationEditable: false,
      events: function (info, success, failure) {
        var params = new URLSearchParams(new FormData(filters));
        params.set("start", info.startStr); params.set("end", info.endStr);
        fetch(el.dataset.eventsUrl + "?" + params.toString(), { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
          .then(success).catch(failure);
      },
      // FullCalendar's icons are role=img without a name inside named buttons; a day cell is labelled
      // by its number alone while it also holds events. Hide the icons, name the cells by their date.
      datesSet: function () { quietIcons(el); },
      dayCellDidMount: function (info) {
        info.el.removeAttribute("aria-labelledby");
      },
      eventDidMount: function (info) {
        var p = info.event.extendedProps;
        info.el.setAttribute("aria-label", p.statusLabel + ": " + info.event.title + " (" + p.accounts.join(", ") + ")");
        info.el.dataset.postId = info.event.id;
      },
      eventClick: function (info) {
        info.jsEvent.preventDefault();
        var url = idUrl(el.dataset.detailUrl, info.event.id);
        htmx.ajax("GET", url, { target: "#post-panel", swap: "innerHTML" }).then(function () {
          panel.hidden = false;
          var close = panel.querySelector("[data-close-panel]");
          if (close) { close.focus(); }
        });
      },
      eventDrop: function (info) {
        var body = new URLSearchParams({ scheduled_time: wallTime(info.event.start) });
        fetch(idUrl(el.dataset.rescheduleUrl, info.event.id), {
          method: "POST", credentials: "same-origin", body: body,
          headers: { "X-CSRFToken": window.schedulerCsrf(), "Content-Type": "application/x-www-form-urlencoded" }
        }).then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
          .then(function (answer) {
            message.textContent = answer.data.message;
            message.className = answer.ok ? "message success" : "message error";
            if (!answer.ok) { info.revert(); } else { calendar.refetchEvents(); }
          })
          .catch(function () { message.textContent = "The post could not be moved: the server did not answer."; message.className = "message error"; info.revert(); });
      }
    });
    calendar.render();
    quietIcons(el);
    // A phone gets the list view and a compact toolbar; a wider window the month grid.
    phone.addEventListener("change", function (query) {
      var layout = toolbars[query.matches ? "narrow" : "wide"];
      calendar.setOption("headerToolbar", layout.header);
      calendar.setOption("footerToolbar", layout.footer);
      calendar.changeView(query.matches ? "listWeek" : "dayGridMonth");
      quietIcons(el);
    });
    filters.addEventListener("change", function () { calendar.refetchEvents(); });
    window.schedulerCalendar = calendar;
  });
})();
