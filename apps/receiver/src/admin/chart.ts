import type { ActivityBucket, ActivityKind } from '@so-connector/sync-runs';
import { markup, type SafeHtml } from './html';

export interface ChartSeries {
  readonly kind: ActivityKind;
  readonly label: string;
  readonly color: string;
}

/** What the dashboard plots (DESIGN.md issue 5): events in, enrichments done, events skipped. */
export const DASHBOARD_SERIES: readonly ChartSeries[] = [
  { kind: 'events', label: 'events', color: '#2563eb' },
  { kind: 'enrichments', label: 'enrichments', color: '#16a34a' },
  { kind: 'skips', label: 'skips', color: '#9ca3af' },
  { kind: 'failures', label: 'failures', color: '#dc2626' },
];

export interface ChartGeometry {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

const GEOMETRY: ChartGeometry = {
  width: 760,
  height: 220,
  left: 44,
  right: 12,
  top: 28,
  bottom: 26,
};

/** The smallest of 1, 2, 5 × 10ⁿ that is ≥ `max` (at least 1): a y-axis top that reads well. */
export function niceCeiling(max: number): number {
  if (!(max > 1)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= max) ?? 10;
  return step * magnitude;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** SVG `points` of one series: first value at the left edge, last at the right, 0 at the bottom. */
export function polylinePoints(
  values: readonly number[],
  yMax: number,
  g: ChartGeometry = GEOMETRY,
): string {
  const plotW = g.width - g.left - g.right;
  const plotH = g.height - g.top - g.bottom;
  const stepX = values.length > 1 ? plotW / (values.length - 1) : 0;
  return values
    .map((v, i) => {
      const x = values.length > 1 ? g.left + i * stepX : g.left + plotW / 2;
      const y = g.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
      return `${round(x)},${round(y)}`;
    })
    .join(' ');
}

const hhmm = (iso: string) => iso.slice(11, 16);

/**
 * Sums every `size` consecutive buckets into one (the last group may be shorter), so 288
 * five-minute buckets become 24-25 hourly points a person can read. Each group keeps the start
 * time of its first bucket.
 */
export function mergeBuckets(buckets: readonly ActivityBucket[], size: number): ActivityBucket[] {
  if (size <= 1) return [...buckets];
  const merged: ActivityBucket[] = [];
  for (let i = 0; i < buckets.length; i += size) {
    const group = buckets.slice(i, i + size);
    const counts = { ...group[0]!.counts };
    for (const bucket of group.slice(1))
      for (const kind of Object.keys(counts) as ActivityKind[]) counts[kind] += bucket.counts[kind];
    merged.push({ at: group[0]!.at, counts });
  }
  return merged;
}

/**
 * The activity chart as inline SVG, drawn on the server (no script, no chart library): one line per
 * series over the buckets, a y axis from 0 to a round maximum, time labels in UTC and a legend
 * with each series' total.
 */
export function activityChartSvg(
  buckets: readonly ActivityBucket[],
  series: readonly ChartSeries[] = DASHBOARD_SERIES,
  g: ChartGeometry = GEOMETRY,
): SafeHtml {
  const max = Math.max(0, ...buckets.flatMap((b) => series.map((s) => b.counts[s.kind])));
  const yMax = niceCeiling(max);
  const plotW = g.width - g.left - g.right;
  const plotH = g.height - g.top - g.bottom;
  const bottomY = g.top + plotH;
  const totals = series.map((s) => buckets.reduce((sum, b) => sum + b.counts[s.kind], 0));
  const summary = series.map((s, i) => `${totals[i]} ${s.label}`).join(', ');

  const label = (x: number, y: number, anchor: string, text: string | number) =>
    markup`<text x="${x}" y="${y}" text-anchor="${anchor}" font-size="11" fill="#6b7280">${text}</text>`;

  const gridLines = [0, yMax / 2, yMax].map((v) => {
    const y = round(bottomY - (v / yMax) * plotH);
    return markup`<line x1="${g.left}" y1="${y}" x2="${g.width - g.right}" y2="${y}" stroke="#e5e7eb"/>${label(g.left - 6, y + 4, 'end', Number.isInteger(v) ? v : v.toFixed(1))}`;
  });

  const tickCount = Math.min(5, buckets.length);
  const ticks = Array.from({ length: tickCount }, (_, t) =>
    tickCount > 1 ? Math.round((t * (buckets.length - 1)) / (tickCount - 1)) : 0,
  ).map((index) => {
    const x = buckets.length > 1 ? round(g.left + (index * plotW) / (buckets.length - 1)) : g.left;
    // The first and last labels are anchored inwards so they are not cut at the edges.
    const anchor =
      tickCount > 1 && index === 0
        ? 'start'
        : tickCount > 1 && index === buckets.length - 1
          ? 'end'
          : 'middle';
    return label(x, g.height - 8, anchor, hhmm(buckets[index]?.at ?? ''));
  });

  // Drawn last-first, so the first series (events) lies on top where lines overlap.
  const lines = series
    .map((s, i) => {
      const points = polylinePoints(
        buckets.map((b) => b.counts[s.kind]),
        yMax,
        g,
      );
      return markup`<polyline data-kind="${s.kind}" data-total="${totals[i]}" points="${points}" fill="none" stroke="${s.color}" stroke-width="1.6" stroke-linejoin="round"/>`;
    })
    .reverse();

  const legend = series.map(
    (s, i) =>
      markup`<g transform="translate(${g.left + i * 150},10)"><rect width="10" height="10" y="2" fill="${s.color}"/><text x="14" y="11" font-size="12" fill="#111827">${s.label}: ${totals[i]}</text></g>`,
  );

  const empty =
    buckets.length === 0
      ? markup`<text x="${g.left + plotW / 2}" y="${g.top + plotH / 2}" text-anchor="middle" font-size="13" fill="#6b7280">no data</text>`
      : null;

  const name = `Activity: ${summary}`;
  return markup`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${g.width} ${g.height}" width="${g.width}" height="${g.height}" role="img" aria-label="${name}"><title>${name}</title>${gridLines}${ticks}${lines}${legend}${empty}</svg>`;
}
