import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricsSample } from '../../server/ops-protocol.js';

/** Samples kept per plot: two minutes at the server's 2 Hz. */
const HISTORY = 240;

interface Plot {
  plot: uPlot;
  series: string[];
  data: number[][];
  holder: HTMLElement;
}

/** Live timing plots (uPlot): loop jitter, end-to-end latency, inference time and topic rates. */
export class PlotsPanel {
  readonly root: HTMLElement;
  samples = 0;
  readonly #plots = new Map<string, Plot>();
  readonly #topics: string[] = [];

  constructor() {
    this.root = document.createElement('div');
    this.root.className = 'plots';
  }

  add(sample: MetricsSample): void {
    this.samples++;
    const t = sample.at / 1000;
    this.#push('jitter', 'loop period jitter (ms)', ['p50', 'p99'], t, [sample.jitterP50Ms, sample.jitterP99Ms]);
    this.#push('latency', 'end-to-end latency: state in → command out (ms)', ['p50', 'p99'], t, [sample.latencyP50Ms, sample.latencyP99Ms]);
    this.#push('inference', 'inference time (ms)', ['vision'], t, [sample.inferenceMs ?? NaN]);
    for (const topic of Object.keys(sample.topicRates)) if (!this.#topics.includes(topic) && this.#topics.length < 8) this.#topics.push(topic);
    this.#push('rates', 'topic rates (Hz)', [...this.#topics], t, this.#topics.map((k) => sample.topicRates[k] ?? NaN));
  }

  #push(key: string, title: string, series: string[], t: number, values: number[]): void {
    let p = this.#plots.get(key);
    if (p && p.series.length !== series.length) {
      // A new topic appeared: rebuild the plot with one more series (old samples get gaps).
      p.plot.destroy();
      p.holder.remove();
      this.#plots.delete(key);
      const old = p;
      p = this.#create(key, title, series);
      p.data[0] = old.data[0];
      for (let i = 1; i <= series.length; i++) p.data[i] = old.data[i] ?? old.data[0].map(() => NaN);
    }
    p ??= this.#create(key, title, series);
    p.data[0].push(t);
    values.forEach((v, i) => p!.data[i + 1].push(Number.isFinite(v) ? v : NaN));
    if (p.data[0].length > HISTORY) for (const d of p.data) d.splice(0, d.length - HISTORY);
    p.plot.setData(p.data.map((d) => d.map((v) => (Number.isNaN(v) ? null : v))) as uPlot.AlignedData);
  }

  #create(key: string, title: string, series: string[]): Plot {
    const holder = document.createElement('div');
    holder.className = 'plot';
    holder.dataset.plot = key;
    this.root.append(holder);
    const colors = ['#f2a541', '#5ab0f0', '#7bd88f', '#e36d6d', '#c792ea', '#f0d36e', '#6ee0d3', '#aaaaaa'];
    const plot = new uPlot({
      title, width: 460, height: 180,
      scales: { x: { time: true } },
      series: [{}, ...series.map((label, i) => ({ label, stroke: colors[i % colors.length], width: 1.5, spanGaps: false }))],
      axes: [{ stroke: '#aab' }, { stroke: '#aab' }],
    }, [[], ...series.map(() => [])], holder);
    const p: Plot = { plot, series, data: [[], ...series.map(() => [] as number[])], holder };
    this.#plots.set(key, p);
    return p;
  }
}
