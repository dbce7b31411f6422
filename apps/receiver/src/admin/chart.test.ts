import type { ActivityBucket, ActivityKind } from '@so-connector/sync-runs';
import { activityChartSvg, mergeBuckets, niceCeiling, polylinePoints } from './chart';

const geometry = { width: 110, height: 70, left: 10, right: 0, top: 10, bottom: 10 };

function bucket(at: string, counts: Partial<Record<ActivityKind, number>>): ActivityBucket {
  return {
    at,
    counts: { events: 0, skips: 0, enrichments: 0, writes: 0, failures: 0, ...counts },
  };
}

describe('niceCeiling', () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [10, 10],
    [11, 20],
    [180, 200],
    [201, 500],
  ])('%d → %d', (max, ceiling) => {
    expect(niceCeiling(max)).toBe(ceiling);
  });
});

describe('polylinePoints', () => {
  it('spreads the values over the plot width, 0 at the bottom and yMax at the top', () => {
    // Plot area: x 10..110, y 10..60.
    expect(polylinePoints([0, 5, 10], 10, geometry)).toBe('10,60 60,35 110,10');
  });

  it('centres a single value and clips values over yMax', () => {
    expect(polylinePoints([20], 10, geometry)).toBe('60,10');
  });
});

describe('mergeBuckets', () => {
  const five = [
    bucket('2025-03-01T10:00:00.000Z', { events: 1 }),
    bucket('2025-03-01T10:05:00.000Z', { events: 2, skips: 1 }),
    bucket('2025-03-01T10:10:00.000Z', { events: 3, failures: 1 }),
    bucket('2025-03-01T10:15:00.000Z', { enrichments: 4 }),
    bucket('2025-03-01T10:20:00.000Z', { writes: 5 }),
  ];

  it('sums each group of buckets and keeps the start of its first', () => {
    expect(mergeBuckets(five, 2)).toEqual([
      bucket('2025-03-01T10:00:00.000Z', { events: 3, skips: 1 }),
      bucket('2025-03-01T10:10:00.000Z', { events: 3, failures: 1, enrichments: 4 }),
      bucket('2025-03-01T10:20:00.000Z', { writes: 5 }),
    ]);
  });

  it('changes nothing with a group size of 1, and does not modify its input', () => {
    const before = JSON.stringify(five);
    expect(mergeBuckets(five, 1)).toEqual(five);
    mergeBuckets(five, 3);
    expect(JSON.stringify(five)).toBe(before);
  });
});

describe('activityChartSvg', () => {
  const buckets = [
    bucket('2025-03-01T10:00:00.000Z', { events: 4, skips: 3, enrichments: 1 }),
    bucket('2025-03-01T10:05:00.000Z', { events: 0 }),
    bucket('2025-03-01T10:10:00.000Z', { events: 7, enrichments: 2, failures: 1 }),
  ];
  const svg = activityChartSvg(buckets).value;

  it('is one inline SVG with a line per series, each carrying its total', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg).toContain('data-kind="events" data-total="11"');
    expect(svg).toContain('data-kind="enrichments" data-total="3"');
    expect(svg).toContain('data-kind="skips" data-total="3"');
    expect(svg).toContain('data-kind="failures" data-total="1"');
  });

  it('labels the y axis up to a round maximum and the x axis with UTC times', () => {
    expect(svg).toContain('>10</text>'); // max 7 → 10
    expect(svg).toContain('text-anchor="start" font-size="11" fill="#6b7280">10:00</text>');
    expect(svg).toContain('text-anchor="middle" font-size="11" fill="#6b7280">10:05</text>');
    expect(svg).toContain('text-anchor="end" font-size="11" fill="#6b7280">10:10</text>');
  });

  it('states the totals in its accessible name and legend', () => {
    expect(svg).toContain('<title>Activity: 11 events, 3 enrichments, 3 skips, 1 failures</title>');
    expect(svg).toContain('events: 11');
  });

  it('draws the highest value at the top of the plot', () => {
    const events = /data-kind="events"[^>]*points="([^"]+)"/.exec(svg)?.[1]?.split(' ') ?? [];
    const ys = events.map((p) => Number(p.split(',')[1]));
    expect(ys).toHaveLength(3);
    // 7 of 10: 70 % of the way up; 0 at the bottom.
    expect(ys[1]).toBeGreaterThan(ys[0]!);
    expect(ys[2]).toBeLessThan(ys[0]!);
  });

  it('says "no data" when there are no buckets', () => {
    expect(activityChartSvg([]).value).toContain('no data');
  });
});
