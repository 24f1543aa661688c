// The dashboard's trend chart: chart.js (served by the app under /vendor/chart.js/) over the JSON
// the page carries in <script type="application/json" id="trend-data">. The same figures are in
// the table below the chart, so the page reads the same without this script.
(function () {
  'use strict';
  var data = document.getElementById('trend-data');
  var canvas = document.getElementById('trend-chart');
  if (!data || !canvas || typeof window.Chart !== 'function') return;
  var trend;
  try {
    trend = JSON.parse(data.textContent || '{}');
  } catch {
    return;
  }
  var colours = ['#0b5d54', '#b45309'];
  var chart = new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: trend.labels || [],
      datasets: (trend.series || []).map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: colours[i % colours.length] };
      }),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  document.documentElement.classList.add('has-chart');
  // Redraw at the printed width, so the printed page carries the chart at its size.
  window.addEventListener('beforeprint', function () { chart.resize(); });
  window.addEventListener('afterprint', function () { chart.resize(); });
})();
