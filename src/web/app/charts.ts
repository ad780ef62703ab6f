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

/** A uPlot line chart over UTC days, sized to its container; replaces any chart already there. */
export function lineChart(el: HTMLElement, days: string[], lines: Line[], unit: string): uPlot {
  el.replaceChildren();
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1_000);
  const opts: uPlot.Options = {
    width: Math.max(320, el.clientWidth || 800),
    height: 240,
    scales: {
      x: { time: true },
      y: { range: (_u, min, max) => [0, Math.max(max, min + 1) * 1.1] },
    },
    axes: [{}, { label: unit, size: 60 }],
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
  return new uPlot(opts, [xs, ...lines.map((l) => l.values)] as uPlot.AlignedData, el);
}
