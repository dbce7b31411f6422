import {
  fnv1a32,
  parsePartitionLabel,
  partitionLabel,
  partitionOf,
  partitionPrefix,
  partitionPrefixes,
} from './partitions';

describe('fnv1a32', () => {
  it.each([
    // Reference values of FNV-1a 32 (http://www.isthe.com/chongo/tech/comp/fnv/).
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('%j hashes to the reference value', (text, hash) => {
    expect(fnv1a32(text)).toBe(hash);
  });

  it('hashes the UTF-8 bytes', () => {
    expect(fnv1a32('é')).not.toBe(fnv1a32('e'));
    expect(fnv1a32('é')).toBe(fnv1a32('\u00e9'));
  });
});

describe('partitionOf', () => {
  it('is 0 with one partition', () => {
    expect(partitionOf('Cust12345', 1)).toBe(0);
  });

  it('is the hash modulo the partition count, the same on every call', () => {
    expect(partitionOf('Cust12345', 8)).toBe(fnv1a32('Cust12345') % 8);
    expect(partitionOf('Cust12345', 8)).toBe(partitionOf('Cust12345', 8));
  });

  it('spreads tenants over every partition', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 800; i++) counts[partitionOf(`Cust${10000 + i}`, 8)]! += 1;
    // 100 expected each; a partition with fewer than half or more than double would be a bad hash.
    for (const count of counts) expect(count).toBeGreaterThan(50);
    for (const count of counts) expect(count).toBeLessThan(200);
  });

  it.each([0, -1, 1.5, NaN])('refuses %p partitions', (partitions) => {
    expect(() => partitionOf('Cust1', partitions)).toThrow(RangeError);
  });
});

describe('partitionPrefix', () => {
  it.each([
    ['{so}', 0, '{so}'],
    ['{so}', 1, '{so-p1}'],
    ['{so}', 12, '{so-p12}'],
    ['app:{so}:x', 3, 'app:{so-p3}:x'],
    ['{a}{b}', 2, '{a-p2}{b}'],
    ['so', 0, 'so'],
    ['so', 1, 'so-p1'],
    // No hash tag by Redis's rule (empty first tag, or none closed): the prefix is extended.
    ['{}{so}', 1, '{}{so}-p1'],
    ['{so', 1, '{so-p1'],
  ])('%s partition %i → %s', (prefix, partition, expected) => {
    expect(partitionPrefix(prefix, partition)).toBe(expected);
  });

  it('gives every partition of a tagged prefix a different tag', () => {
    const tags = partitionPrefixes('{so}', 16).map((p) => /\{([^}]+)\}/.exec(p)?.[1]);
    expect(new Set(tags).size).toBe(16);
  });

  it('refuses a negative partition', () => {
    expect(() => partitionPrefix('so', -1)).toThrow(RangeError);
  });
});

describe('partitionLabel', () => {
  it('keeps the name for partition 0 and puts the partition before it after that', () => {
    expect(partitionLabel('so-events', 0)).toBe('so-events');
    expect(partitionLabel('so-events', 5)).toBe('p5.so-events');
  });

  it.each([
    ['so-events', { name: 'so-events', partition: 0 }],
    ['p5.so-events', { name: 'so-events', partition: 5 }],
    ['p0.so-events', { name: 'p0.so-events', partition: 0 }],
  ])('parses %s', (label, parsed) => {
    expect(parsePartitionLabel(label)).toEqual(parsed);
  });
});
