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
