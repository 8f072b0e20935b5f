/* global document, window, getComputedStyle */
// The statistics page's charts (issue 15.6), drawn by chart.js served from the node (/assets/chart.umd.min.js).
// A static asset: the CSP allows no inline script; the figures come from the page's
// <script type="application/json" id="statistics-data"> block. Readable without colour: every bar and point
// carries its value, outgoing bars are hatched, the 90th percentile is dashed with triangles; the same figures
// are in the page's tables. Without script the tables remain.
(function () {
  const source = document.getElementById('statistics-data');
  const Chart = window.Chart;
  if (!source || !Chart) return;
  const data = JSON.parse(source.textContent || '{}');
  const INK = '#1b1f24';
  const BLUE = '#0b5cad';
  const ORANGE = '#9a4a00';
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = INK;
  Chart.defaults.animation = false;

  /** Diagonal hatching (a fill that tells the series apart in grey print too). */
  function hatch(colour) {
    const c = document.createElement('canvas');
    c.width = 8;
    c.height = 8;
    const g = c.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 8, 8);
    g.strokeStyle = colour;
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(0, 8);
    g.lineTo(8, 0);
    g.moveTo(-2, 2);
    g.lineTo(2, -2);
    g.moveTo(6, 10);
    g.lineTo(10, 6);
    g.stroke();
    return g.createPattern(c, 'repeat');
  }
  const number = (v) => (v === null || v === undefined ? '' : Number(v).toLocaleString('ru-RU'));

  /** Every value written at its bar or point. */
  const valueLabels = {
    id: 'valueLabels',
    afterDatasetsDraw(chart) {
      const g = chart.ctx;
      g.save();
      g.fillStyle = INK;
      g.font = `600 12px ${Chart.defaults.font.family}`;
      g.textAlign = 'center';
      g.textBaseline = 'bottom';
      chart.data.datasets.forEach((ds, i) => {
        const meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        meta.data.forEach((el, j) => {
          const v = ds.data[j];
          if (v === null || v === undefined || (chart.config.type === 'bar' && v === 0)) return;
          const y = chart.config.type === 'bar' ? el.y - 3 : el.y - 7;
          g.fillText(number(v), el.x, y);
        });
      });
      g.restore();
    },
  };
  const common = {
    responsive: true,
    maintainAspectRatio: false,
    layout: { padding: { top: 22 } },
    plugins: {
      legend: { position: 'bottom', labels: { usePointStyle: true, boxWidth: 28 } },
      tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${number(c.raw)}` } },
    },
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
  };

  const volume = document.getElementById('chart-volume');
  if (volume && data.volume && data.volume.length) {
    new Chart(volume, {
      type: 'bar',
      data: {
        labels: data.months,
        datasets: data.volume.map((s, i) => ({
          label: s.label,
          data: s.data,
          backgroundColor: i === 0 ? BLUE : hatch(ORANGE),
          borderColor: i === 0 ? BLUE : ORANGE,
          borderWidth: 2,
          pointStyle: 'rect',
        })),
      },
      options: common,
      plugins: [valueLabels],
    });
  }
  const turnaround = document.getElementById('chart-turnaround');
  if (turnaround && data.turnaround && data.turnaround.length) {
    new Chart(turnaround, {
      type: 'line',
      data: {
        labels: data.months,
        datasets: data.turnaround.map((s, i) => {
          const p90 = i % 2 === 1;
          const colour = i < 2 ? BLUE : ORANGE;
          return {
            label: s.label,
            data: s.data,
            borderColor: colour,
            backgroundColor: colour,
            borderDash: p90 ? [7, 5] : [],
            pointStyle: p90 ? 'triangle' : 'circle',
            pointRadius: 5,
            borderWidth: 2,
            spanGaps: true,
          };
        }),
      },
      options: {
        ...common,
        scales: { y: { beginAtZero: true, title: { display: true, text: 'рабочие дни' } } },
      },
      plugins: [valueLabels],
    });
  }
})();
