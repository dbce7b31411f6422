import { globEscape, matchHashTag } from './scan-keys';
import { keySlot } from './slot-owner';

describe('matchHashTag', () => {
  it.each([
    ['{so}:backfill:Cust1:*', '{so}'],
    ['prefix-{so-e2e-1a2b}:x:*', '{so-e2e-1a2b}'],
    ['{so}*', '{so}'],
    ['{a}{b}:*', '{a}'],
  ])('%s is hashed by %s', (match, tag) => {
    expect(matchHashTag(match)).toBe(tag);
  });

  it.each([
    ['so:backfill:*', 'no braces'],
    ['{}{so}:*', 'an empty first tag (Redis hashes the whole key)'],
    ['{so:*', 'no closing brace'],
    ['{s*}:x', 'a glob inside the tag'],
    ['*{so}:x', 'a glob before the tag'],
    ['{s?}:x', 'a ? inside the tag'],
    ['{s[ab]}:x', 'a class inside the tag'],
    ['\\{so}:x', 'an escaped brace'],
  ])('%s fixes no tag (%s)', (match) => {
    expect(matchHashTag(match)).toBeUndefined();
  });
});

describe('keySlot', () => {
  it("is Redis Cluster's slot (CRC16 of the tag, mod 16384), as CLUSTER KEYSLOT answers", () => {
    // CLUSTER KEYSLOT {so} and CLUSTER KEYSLOT foo on Redis 7: 67 and 12182.
    expect(keySlot('{so}')).toBe(67);
    expect(keySlot('{so}:backfill:Cust1:x')).toBe(67);
    expect(keySlot('foo')).toBe(12182);
  });
});

describe('globEscape', () => {
  it('makes glob characters literal, and leaves hash tags alone', () => {
    expect(globEscape('{so-p1}:backfill:Cust1:')).toBe('{so-p1}:backfill:Cust1:');
    expect(globEscape('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
  });
});
