/* Charts of the analytics page, from the figures the server put in #chart-data (Chart.js). Colours
   come from the stylesheet's variables so they match the rest of the app. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("chart-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var css = getComputedStyle(document.documentElement);
    function color(name) { return css.getPropertyValue(name).trim(); }
    var common = { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } };
    new Chart(document.getElementById("chart-daily"), {
      type: "line",
      data: { labels: data.days, datasets: [
        { label: "Likes", data: data.likes, borderColor: color("--st-posted"), backgroundColor: color("--st-posted") },
        { label: "Reposts", data: data.reposts, borderColor: color("--st-scheduled"), backgroundColor: color("--st-scheduled") },
        { label: "Replies", data: data.replies, borderColor: color("--st-queued"), backgroundColor: color("--st-queued") }
      ] },
      options: common
    });
    var followers = document.getElementById("chart-followers");
    if (followers && data.followers.length) {
      new Chart(followers, {
        type: "line",
        data: { labels: data.followerDays, datasets: [
          { label: "Followers (all accounts)", data: data.followers, borderColor: color("--st-posted"), backgroundColor: color("--st-posted") }
        ] },
        options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { ticks: { precision: 0 } } } }
      });
    }
    new Chart(document.getElementById("chart-networks"), {
      type: "bar",
      data: { labels: data.platforms, datasets: [
        { label: "Published", data: data.platformPosted, backgroundColor: color("--st-posted") },
        { label: "Engagement", data: data.platformEngagement, backgroundColor: color("--st-scheduled") }
      ] },
      options: common
    });
  });
})();
