import { UsageError } from '../command';
import { entryFromFlags, needsWebhookSecret } from './add-input';

describe('entryFromFlags', () => {
  it('writes the flags as a TENANTS_FILE entry, leaving out what was not given', () => {
    expect(
      entryFromFlags({
        context: 'Cust7',
        refreshToken: 'env:RT',
        webhookSecret: ['new', 'old'],
        udfVertical: 'SuperOffice:83',
        ownerScope: '12, JD,',
        providerCallsPerHour: '500',
      }),
    ).toEqual({
      contextIdentifier: 'Cust7',
      refreshToken: 'env:RT',
      webhookSecrets: ['new', 'old'],
      udf: { vertical: 'SuperOffice:83' },
      ownerScope: ['12', 'JD'],
      budget: { providerCallsPerHour: '500' },
    });
  });

  it('keeps an empty udf mapping, so the schema names it', () => {
    expect(entryFromFlags({ context: 'Cust7' })).toEqual({ contextIdentifier: 'Cust7', udf: {} });
  });

  it('returns nothing for --file alone', () => {
    expect(entryFromFlags({ file: 't.yaml', replace: true })).toBeUndefined();
  });

  it.each([
    [
      { file: 't.yaml', context: 'Cust7', udfPersonOpener: 'x' },
      /also given: --context, --udf-person-opener/,
    ],
    [{ refreshToken: 'x' }, /needs --context/],
  ])('refuses %j', (flags, message) => {
    expect(() => entryFromFlags(flags)).toThrow(UsageError);
    expect(() => entryFromFlags(flags)).toThrow(message);
  });
});

describe('needsWebhookSecret', () => {
  it.each([
    [{ contextIdentifier: 'Cust7' }, true],
    [{ webhookSecrets: ['s'] }, false],
    [{ webhookToken: 't' }, false],
    [['not a mapping'], false],
    [null, false],
  ])('%j → %s', (entry, expected) => {
    expect(needsWebhookSecret(entry)).toBe(expected);
  });
});
