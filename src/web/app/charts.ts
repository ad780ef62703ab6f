/// <reference lib="dom" />
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
  '#65a30d',
  '#7c3aed',
  '#0d9488',
  '#b91c1c',
  '#1d4ed8',
];

export interface Line {
  label: string;
  values: Array<number | null>;
  color?: string;
  dash?: number[];
}

/** Tick steps for counts: whole numbers only (uPlot would otherwise offer 0.5, 0.25, …). */
const INTEGER_INCREMENTS = [1, 2, 5]
  .flatMap((m) => Array.from({ length: 10 }, (_, e) => m * 10 ** e))
  .sort((a, b) => a - b);

/**
 * The width inside the element's padding: uPlot draws exactly the width it is given, and
 * clientWidth includes the padding, which made each chart overflow its card by that much.
 */
function contentWidth(el: HTMLElement): number {
  const style = getComputedStyle(el);
  const inner =
    el.clientWidth - parseFloat(style.paddingLeft || '0') - parseFloat(style.paddingRight || '0');
  return Math.max(0, Math.floor(inner));
}

/** A message in the chart's place (no data to draw). */
export function emptyChart(el: HTMLElement, message: string): void {
  const p = document.createElement('p');
  p.className = 'chart-empty';
  p.textContent = message;
  el.replaceChildren(p);
}

/**
 * A uPlot line chart over UTC days, sized to its container's content box; replaces any chart
 * already there. `integer`: the y axis counts things, so only whole-number ticks.
 */
export function lineChart(
  el: HTMLElement,
  days: string[],
  lines: Line[],
  unit: string,
  opts: { integer?: boolean } = {},
): uPlot {
  el.replaceChildren();
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1_000);
  const width = contentWidth(el);
  const options: uPlot.Options = {
    width: width > 0 ? width : 800,
    height: 240,
    scales: {
      x: { time: true },
      y: {
        range: (_u, min, max) => {
          const top = Math.max(max, min + 1) * 1.1;
          return [0, opts.integer ? Math.ceil(top) : top];
        },
      },
    },
    axes: [
      {},
      opts.integer
        ? {
            label: unit,
            size: 60,
            incrs: INTEGER_INCREMENTS,
            values: (_u, ticks) => {
              // The ticks drawn are canvas pixels; kept on the element for anyone inspecting it.
              el.dataset.yTicks = ticks.join(',');
              return ticks.map(String);
            },
          }
        : { label: unit, size: 60 },
    ],
    series: [
      {
        label: 'Day',
        value: (_u, v) => (v === null ? '—' : new Date(v * 1_000).toISOString().slice(0, 10)),
      },
      ...lines.map((l, i) => ({
        label: l.label,
        stroke: l.color ?? PALETTE[i % PALETTE.length],
        width: 2,
        dash: l.dash,
        spanGaps: true,
        points: { show: true, size: 4 },
      })),
    ],
  };
  return new uPlot(options, [xs, ...lines.map((l) => l.values)] as uPlot.AlignedData, el);
}
