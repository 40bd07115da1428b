/* Charts of the admin's analytics insights page, from the figures the server put in
   #admin-chart-data (Chart.js, served from our own static files). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("admin-chart-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var options = { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } };
    new Chart(document.getElementById("admin-chart-daily"), {
      type: "line",
      data: { labels: data.days, datasets: [
        { label: "Engagement", data: data.engagement, borderColor: "#1d4ea8", backgroundColor: "#1d4ea8" },
        { label: "Posts", data: data.posts, borderColor: "#79aec8", backgroundColor: "#79aec8" }
      ] },
      options: options
    });
    var followers = document.getElementById("admin-chart-followers");
    if (followers) {
      new Chart(followers, {
        type: "line",
        data: { labels: data.followerDays, datasets: [{ label: "Followers", data: data.followers, borderColor: "#417690", backgroundColor: "#417690" }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { ticks: { precision: 0 } } } }
      });
    }
  });
})();
