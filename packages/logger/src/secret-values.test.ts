import { RETIRED_SECRET_GRACE_MS, SecretValues, secretReplacer } from './secret-values';

const MARK = '[R]';

describe('secretReplacer', () => {
  it('replaces every occurrence of every value, longest first, and leaves short values alone', () => {
    const replace = secretReplacer(['token-abc', 'token-abcdef', 'short']);
    expect(replace('a token-abcdef b token-abc c token-abc short', MARK)).toBe(
      `a ${MARK} b ${MARK} c ${MARK} short`,
    );
    expect(replace('nothing here', MARK)).toBe('nothing here');
  });

  it('merges overlapping finds: no part of a value is left shown', () => {
    const replace = secretReplacer(['abcdefgh', 'ghijklmn']);
    expect(replace('x abcdefghijklmn y', MARK)).toBe(`x ${MARK} y`);
  });

  it('finds the same with a search per value and with the prefix index (many values)', () => {
    const few = ['secret-one-1234', 'secret-two-5678', 'rt-abcdef-99', 'abcdefgh', 'ghijklmn'];
    const padding = Array.from({ length: 200 }, (_, i) => `padding-value-${i}-xyz`);
    const small = secretReplacer(few);
    const big = secretReplacer([...few, ...padding]);
    for (const text of [
      'secret-one-1234 and secret-two-5678',
      'prefix-rt-abcdef-99-suffix rt-abcdef-9',
      'abcdefghijklmn abcdefgh ghijklmn',
      'secret-one-1234secret-one-1234',
      '',
      'abcde',
    ])
      expect(big(text, MARK)).toBe(small(text, MARK));
    expect(big('abcdefghijklmn x secret-one-1234secret-one-1234', MARK)).toBe(
      `${MARK} x ${MARK}${MARK}`,
    );
    expect(big('padding-value-7-xyz is one, padding-value-7 is not', MARK)).toBe(
      `${MARK} is one, padding-value-7 is not`,
    );
  });

  it('the prefix index finds what a search per value finds, on random values and texts', () => {
    // A seeded generator: the same cases every run.
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = (alphabet: string, length: number) =>
      Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const alphabet = 'abcdef0123456789-_ÄéÖ😀';
    const values = Array.from({ length: 300 }, () => pick(alphabet, 6 + Math.floor(next() * 20)));
    const indexed = secretReplacer(values);
    for (let round = 0; round < 200; round++) {
      // Random text with values (whole, cut short, back to back, overlapping) dropped in.
      const parts: string[] = [];
      for (let k = 0; k < 6; k++) {
        const value = values[Math.floor(next() * values.length)]!;
        const roll = next();
        parts.push(pick(alphabet, Math.floor(next() * 8)));
        parts.push(roll < 0.5 ? value : roll < 0.75 ? value.slice(0, -1) : value + value);
      }
      const text = parts.join('');
      // The reference: every character inside any occurrence of any value (indexOf) is covered.
      const covered = new Array<boolean>(text.length).fill(false);
      for (const value of values)
        for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1))
          covered.fill(true, at, at + value.length);
      // By UTF-16 unit, as indexOf counts (an emoji is two).
      const expected = Array.from({ length: text.length }, (_, i) =>
        covered[i] ? '#' : text[i],
      ).join('');
      const got = indexed(text, '#');
      // Both mark the same characters: compare which positions survive unmarked.
      expect(got.replace(/#+/g, '#')).toBe(expected.replace(/#+/g, '#'));
    }
  });
});

describe('SecretValues', () => {
  it('keeps the fixed values and each owner’s current ones; a replaced or deleted owner’s go after the grace period', () => {
    const sut = new SecretValues(['env-secret-value']);
    const t0 = 1_000_000;
    sut.replace('Cust1', ['cust1-secret-old', 'cust1-refresh-token'], t0);
    expect(sut.current(t0)('env-secret-value cust1-secret-old', MARK)).toBe(`${MARK} ${MARK}`);
    sut.replace('Cust1', ['cust1-secret-new', 'cust1-refresh-token'], t0);
    // The old value may still be valid for a while (an overlap, a job still running): redacted.
    expect(sut.current(t0 + 1000)('cust1-secret-old cust1-secret-new', MARK)).toBe(
      `${MARK} ${MARK}`,
    );
    const after = t0 + RETIRED_SECRET_GRACE_MS;
    expect(sut.current(after)('cust1-secret-old cust1-secret-new', MARK)).toBe(
      `cust1-secret-old ${MARK}`,
    );
    sut.delete('Cust1', after);
    expect(sut.owners()).toEqual([]);
    expect(sut.current(after + 1)('cust1-secret-new env-secret-value', MARK)).toBe(
      `${MARK} ${MARK}`,
    );
    expect(
      sut.current(after + RETIRED_SECRET_GRACE_MS)('cust1-secret-new env-secret-value', MARK),
    ).toBe(`cust1-secret-new ${MARK}`);
  });

  it('holds no more owners than it was given, however often they change', () => {
    const sut = new SecretValues();
    for (let round = 0; round < 50; round++)
      for (let t = 0; t < 10; t++) sut.replace(`Cust${t}`, [`secret-${t}-round-${round}`], round);
    expect(sut.owners()).toHaveLength(10);
    // Retired values go once their grace period has passed.
    expect(
      sut.current(49 + RETIRED_SECRET_GRACE_MS)('secret-3-round-48 secret-3-round-49', MARK),
    ).toBe(`secret-3-round-48 ${MARK}`);
  });
});
