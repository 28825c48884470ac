// A line chart of a few statistics over the last minutes, drawn by uPlot, with a legend showing each
// line's current value. The chart element carries data-points (how many points it draws) and each legend
// value data-series (its key), which is what the browser tests read.

import uPlot from './vendor/uPlot.esm.js';
import { h, fill } from './dom.js';
import { SampleHistory, points, currentRate } from './samples.js';
import { count, rate } from './format.js';

const WINDOW_SECONDS = 600;
/** A chart with little or no history still spans half a minute, so its time axis stays readable. */
const MIN_SPAN_SECONDS = 30;
const COLOURS = ['#e3a008', '#3f83f8', '#e02424', '#0e9f6e', '#9061f9', '#6b7280', '#d946ef', '#0694a2', '#8b5e34', '#ff5a1f'];

export class Chart {
  /**
   * @param series [{label, key}] in legend order
   * @param asRates true: the statistics are counters and the chart shows their rates per second
   */
  constructor(name, series, asRates) {
    this.series = series.map((s, i) => ({ ...s, colour: COLOURS[i % COLOURS.length] }));
    this.asRates = asRates;
    this.history = new SampleHistory();
    this.plotBox = h('div.plot');
    this.legend = h('div.legend');
    this.element = h('div.chart', { dataset: { chart: name, points: '0' } }, this.plotBox, this.legend);
    this.plot = null;
    this.shown = [];
    // resized a frame later, so resizing never happens inside the observer's own notification
    new ResizeObserver(() => requestAnimationFrame(() => this.resize())).observe(this.plotBox);
  }

  /** Draws the statistics in `stats` (an object such as message_stats or queue_totals). */
  update(stats) {
    const now = Date.now();
    const withSamples = this.series.map(s => ({ ...s, samples: this.history.samples(stats, s.key, now) }));
    // only what the broker reports is drawn: a counter that it does not keep shows no line
    const shown = withSamples.filter(s => typeof stats?.[s.key] === 'number' || s.samples.length > 0);
    this.drawLegend(stats, shown);
    const lines = shown.map(s => new Map(points(s.samples, this.asRates)));
    const times = [...new Set(lines.flatMap(l => [...l.keys()]))].sort((a, b) => a - b);
    const data = [times.map(t => t / 1000), ...lines.map(l => times.map(t => l.get(t) ?? null))];
    this.element.dataset.points = String(times.length);
    const sameLines = shown.length === this.shown.length && shown.every((s, i) => s.key === this.shown[i].key);
    if (this.plot && sameLines) {
      this.plot.setData(data);
    } else {
      this.plot?.destroy();
      this.shown = shown;
      this.plot = new uPlot(this.options(shown), data, this.plotBox);
    }
  }

  options(shown) {
    const unit = this.asRates ? '/s' : '';
    return {
      width: Math.max(200, this.plotBox.clientWidth),
      height: 180,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // up to now, from ten minutes ago or the first point if that is later (a page open for two minutes
        // shows those across the chart); the lines move left as time passes
        x: {
          time: true,
          range: (u, min) => {
            const now = Date.now() / 1000;
            return [Math.max(now - WINDOW_SECONDS, Math.min(min ?? now, now - MIN_SPAN_SECONDS)), now];
          },
        },
        y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [{}, { values: (u, ticks) => ticks.map(v => `${Number(v.toFixed(2)).toLocaleString('en-US')}${unit}`), size: 70 }],
      series: [{}, ...shown.map(s => ({ label: s.label, stroke: s.colour, width: 2, spanGaps: true }))],
    };
  }

  drawLegend(stats, shown) {
    if (shown.length === 0) {
      fill(this.legend, h('span.hint', 'No data yet.'));
      return;
    }
    fill(this.legend, shown.map(s => {
      const value = this.asRates ? rate(currentRate(stats, s.key, s.samples)) : count(stats?.[s.key]);
      return h('div.legend-item',
        h('span.swatch', { style: `background:${s.colour}` }), h('span.legend-label', s.label),
        h('span.num', { dataset: { series: s.key } }, value));
    }));
  }

  resize() {
    if (this.plot && this.plotBox.clientWidth > 0) {
      this.plot.setSize({ width: this.plotBox.clientWidth, height: 180 });
    }
  }
}
