/* The calendar: FullCalendar fed by the server's JSON feed, in the user's time zone. A dragged post is
   rescheduled by the server (the scheduling service); when it refuses, the post goes back. The feed
   holds every post in the visible range; a month cell shows a few and "+N more". An event carries its
   status, its accounts' ids (named from the account filter's options) and, when it has media, the id
   of the file whose thumbnail it shows. Clicking an empty day or slot opens the composer at that time. */
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
  function optionLabels(select) {
    var labels = {};
    Array.prototype.forEach.call(select.options, function (o) { if (o.value) { labels[o.value] = o.textContent; } });
    return labels;
  }
  // The wall-clock time now in `zone` ("2030-01-15T09:30:00"), comparable with wallTime() as text.
  function wallNow(zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute + ":" + parts.second;
  }
  // A clicked slot is its own time; a clicked day is 09:00 that day, or today's next full hour after 09:00.
  function composeTime(info, zone) {
    var at = wallTime(info.date);
    if (!info.allDay) { return at; }
    var now = wallNow(zone), day = at.slice(0, 10), nine = day + "T09:00:00";
    if (day !== now.slice(0, 10) || nine > now) { return nine; }
    var hour = Number(now.slice(11, 13)) + 1;
    return hour < 24 ? day + "T" + pad(hour) + ":00:00" : null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("calendar");
    if (!el || !window.FullCalendar) { return; }
    var message = document.getElementById("calendar-message");
    var panel = document.getElementById("post-panel");
    var filters = document.getElementById("calendar-filters");
    var accountNames = optionLabels(document.getElementById("filter-account"));
    var statusNames = optionLabels(document.getElementById("filter-status"));
    var zone = el.dataset.timezone;
    var phone = window.matchMedia("(max-width: 700px)");
    var narrow = phone.matches;
    var toolbars = {
      wide: { header: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" }, footer: false },
      narrow: { header: { left: "prev,next", center: "title", right: "today" }, footer: { center: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" } }
    };

    var calendar = new FullCalendar.Calendar(el, {
      timeZone: zone,
      initialView: narrow ? "listWeek" : "dayGridMonth",
      headerToolbar: toolbars[narrow ? "narrow" : "wide"].header,
      footerToolbar: toolbars[narrow ? "narrow" : "wide"].footer,
      buttonText: { today: "Today", month: "Month", week: "Week", day: "Day", list: "List" },
      firstDay: 1,
      height: "auto",
      nowIndicator: true,
      dayMaxEvents: 4,     // a month cell: four posts and "+N more" (a popover with the day's posts)
      eventMaxStack: 3,    // a week or day slot: three side by side and "+N more"
      moreLinkClick: "popover",
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
      eventClassNames: function (arg) { return ["status-" + arg.event.extendedProps.status]; },
      dateClick: function (info) {
        if (!el.dataset.composeUrl) { return; }  // a viewer cannot write posts
        var at = composeTime(info, zone);
        if (!at || at <= wallNow(zone)) {
          message.textContent = "That time has passed: click a later day or time to write a post for it.";
          message.className = "message error";
          return;
        }
        window.location.assign(el.dataset.composeUrl + "?" + new URLSearchParams({ at: at }).toString());
      },
      dayCellDidMount: function (info) {
        info.el.removeAttribute("aria-labelledby");
      },
      eventDidMount: function (info) {
        var p = info.event.extendedProps;
        var accounts = p.accounts.map(function (id) { return accountNames[id] || "an account"; });
        var thread = p.parts ? "thread of " + p.parts + " posts, " : "";
        info.el.setAttribute("aria-label", (statusNames[p.status] || p.status) + ": " + thread + info.event.title + " (" + accounts.join(", ") + ")");
        info.el.dataset.postId = info.event.id;
        if (p.thumb) {
          var img = document.createElement("img");
          img.className = "fc-thumb"; img.alt = ""; img.loading = "lazy"; img.width = 20; img.height = 20;
          img.src = idUrl(el.dataset.thumbUrl, p.thumb);
          var title = info.el.querySelector(".fc-event-title, .fc-list-event-title a");
          (title ? title.parentNode : info.el).insertBefore(img, title);
        }
        if (p.parts) {  // a thread is one event: a badge says how many posts it has
          var badge = document.createElement("span");
          badge.className = "fc-thread"; badge.textContent = "\uD83E\uDDF5 " + p.parts + " "; badge.title = "A thread of " + p.parts + " posts";
          var label = info.el.querySelector(".fc-event-title, .fc-list-event-title a");
          (label ? label.parentNode : info.el).insertBefore(badge, label);
        }
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
