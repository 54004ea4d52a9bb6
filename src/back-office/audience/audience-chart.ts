/**
 * Visits, daily unique visitors and page views per day as lines in the
 * shared SVG frame. Each series differs by its line (solid, dashed,
 * dotted) and its markers (circles, squares, triangles) as well as its
 * colour, and the legend says so in words (RGAA 3.1: never colour alone).
 * The table the page puts after it carries the same figures.
 */
import { html, type Html } from '../../web/html.ts';
import { svgChart, type ChartScale } from '../svg-chart.ts';
import type { AudienceDay } from './audience-queries.ts';
import { frenchDay } from './audience-period.ts';

type Key = 'visits' | 'visitors' | 'pageViews';

interface Series {
  key: Key;
  label: string;
  /** How the legend describes the line, for those who do not tell colours apart. */
  looks: string;
  stroke: string;
  dash: string;
  marker: (x: number, y: number) => string;
}

const f = (n: number) => n.toFixed(1);

/** Colours of the stylesheet (--accent, --ok, --ink): each at least 6:1 on white. */
export const SERIES: readonly Series[] = [
  { key: 'visits', label: 'Visites', looks: 'trait plein, ronds', stroke: '#1d3f8f', dash: '', marker: (x, y) => `M${f(x - 3.5)} ${f(y)}a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0z` },
  { key: 'visitors', label: 'Visiteurs uniques du jour', looks: 'tirets, carrés', stroke: '#1e6b34', dash: '8 4', marker: (x, y) => `M${f(x - 3.5)} ${f(y - 3.5)}h7v7h-7z` },
  { key: 'pageViews', label: 'Pages vues', looks: 'pointillés, triangles', stroke: '#1b1b1f', dash: '2 3', marker: (x, y) => `M${f(x)} ${f(y - 4.5)}l4.5 8h-9z` },
];

/** A short line and a marker, as in the chart, for the legend (hidden from screen readers: the words say it). */
function sample(s: Series): Html {
  return html`<svg class="chart-sample" viewBox="0 0 36 12" width="36" height="12" aria-hidden="true" focusable="false"><path d="M0 6h36" stroke="${s.stroke}" stroke-width="2" fill="none"${s.dash ? html` stroke-dasharray="${s.dash}"` : ''}/><path d="${s.marker(18, 6)}" fill="${s.stroke}"/></svg>`;
}

/** Labels under the axis: weekly for a month, twice a month up to a quarter, monthly beyond, never closer than a label's width. */
function ticks(days: readonly string[], x: (i: number) => number): Array<{ x: number; text: string }> {
  const n = days.length;
  const candidates = days.flatMap((day, i) => {
    const date = day.slice(8, 10);
    const show = n <= 31 ? i % 7 === 0 : n <= 92 ? date === '01' || date === '15' : date === '01';
    return show ? [{ x: x(i), text: n <= 92 ? `${date}/${day.slice(5, 7)}` : `${day.slice(5, 7)}/${day.slice(2, 4)}` }] : [];
  });
  // "MM/AA" in 12-pixel type is about 35 units wide: over two years, one month in two or three is labelled.
  const kept: Array<{ x: number; text: string }> = [];
  for (const t of candidates) if ((kept.length === 0 || t.x - kept.at(-1)!.x >= 45) && (t.x <= x(n - 1) - 30 || n === 1)) kept.push(t);
  return kept;
}

/** Every day of the period (days without figures as zero), in order. */
export function audienceChart(days: readonly string[], figures: ReadonlyMap<string, AudienceDay>, summary: string): Html {
  const value = (day: string, key: Key) => figures.get(day)?.[key] ?? 0;
  const max = Math.max(0, ...days.flatMap((d) => SERIES.map((s) => value(d, s.key))));
  // A marker every few days: at most about thirty per line, so that they stay apart.
  const every = Math.ceil(days.length / 31);
  const line = (s: Series, scale: ChartScale) => {
    const x = xOf(scale, days.length);
    const points = days.map((d, i) => `${f(x(i))},${f(scale.y(value(d, s.key)))}`).join(' ');
    const markers = days.flatMap((d, i) => (i % every === 0 ? [s.marker(x(i), scale.y(value(d, s.key)))] : [])).join('');
    return html`<polyline points="${points}" fill="none" stroke="${s.stroke}" stroke-width="2"${s.dash ? html` stroke-dasharray="${s.dash}"` : ''}/><path d="${markers}" fill="${s.stroke}"/>`;
  };
  return svgChart({
    id: 'audience',
    title: `Visites, visiteurs uniques du jour et pages vues, jour par jour, du ${frenchDay(days[0]!)} au ${frenchDay(days.at(-1)!)}`,
    summary,
    max,
    marks: (scale) => html`${SERIES.map((s) => line(s, scale))}`,
    ticks: (scale) => ticks(days, xOf(scale, days.length)),
    caption: html`<ul class="chart-legend">${SERIES.map((s) => html`<li>${sample(s)} ${s.label} (${s.looks})</li>`)}</ul>`,
  });
}

/** The x of the i-th day: one day sits in the middle, more days span the plot. */
function xOf(scale: ChartScale, n: number): (i: number) => number {
  const inner = { left: scale.left + 8, right: scale.right - 8 };
  return (i) => (n === 1 ? (inner.left + inner.right) / 2 : inner.left + (i * (inner.right - inner.left)) / (n - 1));
}
