/**
 * Charts drawn on the server as SVG, shared by the back-office pages (the
 * DPO's coming deletions, the audience dashboard): no script, a `role="img"`
 * with a title and a summary a screen reader reads, and the same figures in
 * a table the page puts next to it. The frame (axis, 0 and the maximum,
 * labels under the axis) is here; each page draws its own marks in it.
 */
import { html, type Html } from '../web/html.ts';

const FRAME = { width: 720, height: 200, left: 40, bottom: 24, top: 10 };
/** Dark grey on white: 10:1, above the 4.5:1 text needs. */
const AXIS = '#3a3a3a';

/** Where values land in the frame: the plot spans `left` to `right`, `y(0)` is the axis. */
export interface ChartScale {
  left: number;
  right: number;
  height: number;
  max: number;
  y(n: number): number;
}

export interface SvgChart {
  /** Prefix of the title's and summary's ids (`…-titre`, `…-resume`), unique in the page. */
  id: string;
  title: string;
  /** The figures in a sentence, for those who cannot see the chart. */
  summary: string;
  /** The highest value drawn (at least 1, so that an axis of zeros still has a height). */
  max: number;
  marks(scale: ChartScale): Html;
  /** Labels under the axis, at an x of the frame. */
  ticks(scale: ChartScale): Array<{ x: number; text: string }>;
  caption: Html;
}

export function svgChart(chart: SvgChart): Html {
  const max = Math.max(1, chart.max);
  const plotHeight = FRAME.height - FRAME.bottom - FRAME.top;
  const y = (n: number) => FRAME.top + plotHeight - (n / max) * plotHeight;
  const scale: ChartScale = { left: FRAME.left, right: FRAME.width, height: FRAME.height, max, y };
  const label = (x: number, at: number, text: string, anchor = '') =>
    html`<text x="${x}" y="${at}"${anchor ? html` text-anchor="${anchor}"` : ''} font-size="12" fill="${AXIS}">${text}</text>`;
  return html`<figure class="chart">
<svg viewBox="0 0 ${FRAME.width} ${FRAME.height}" width="100%" role="img" aria-labelledby="${chart.id}-titre ${chart.id}-resume">
<title id="${chart.id}-titre">${chart.title}</title>
<desc id="${chart.id}-resume">${chart.summary}</desc>
<line x1="${FRAME.left}" y1="${y(0)}" x2="${FRAME.width}" y2="${y(0)}" stroke="${AXIS}" stroke-width="1"/>
${label(FRAME.left - 6, y(max) + 4, max.toLocaleString('fr-FR'), 'end')}
${label(FRAME.left - 6, y(0) + 4, '0', 'end')}
${chart.marks(scale)}
${chart.ticks(scale).map((t) => label(Number(t.x.toFixed(1)), FRAME.height - 6, t.text))}
</svg>
<figcaption>${chart.caption}</figcaption>
</figure>`;
}
