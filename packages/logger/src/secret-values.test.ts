import { SecretValues, secretReplacer } from './secret-values';

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
  it('keeps the fixed values and each owner’s current ones; a replaced or deleted owner’s are gone', () => {
    const sut = new SecretValues(['env-secret-value']);
    sut.replace('Cust1', ['cust1-secret-old', 'cust1-refresh-token']);
    expect(sut.current()('env-secret-value cust1-secret-old', MARK)).toBe(`${MARK} ${MARK}`);
    sut.replace('Cust1', ['cust1-secret-new', 'cust1-refresh-token']);
    expect(sut.current()('cust1-secret-old cust1-secret-new', MARK)).toBe(
      `cust1-secret-old ${MARK}`,
    );
    sut.delete('Cust1');
    expect(sut.current()('cust1-secret-new env-secret-value', MARK)).toBe(
      `cust1-secret-new ${MARK}`,
    );
    expect(sut.owners()).toEqual([]);
  });

  it('holds no more owners than it was given, however often they change', () => {
    const sut = new SecretValues();
    for (let round = 0; round < 50; round++)
      for (let t = 0; t < 10; t++) sut.replace(`Cust${t}`, [`secret-${t}-round-${round}`]);
    expect(sut.owners()).toHaveLength(10);
    expect(sut.current()('secret-3-round-48 secret-3-round-49', MARK)).toBe(
      `secret-3-round-48 ${MARK}`,
    );
  });
});
