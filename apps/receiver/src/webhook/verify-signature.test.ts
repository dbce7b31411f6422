import crypto from 'node:crypto';
import { constantTimeEquals, verifySignature } from './verify-signature';

// Self-computed vectors from superoffice-api.md section 1.4 (Node, Python and openssl agree).
const VECTOR_1_BODY =
  '{"EventId":"8337ae4a-1dd6-40fd-8dc7-a050664a0af7","Timestamp":"2018-04-24T07:50:50.6812131Z","Changes":["contact_id","associate_id","department","updated_associate_id","updated","updatedCount"],"Event":"contact.changed","PrimaryKey":994863,"Entity":"contact","ContextIdentifier":"Cust1234","ChangedByAssociateId":316,"WebhookName":"Name you provided"}';
const VECTOR_2_BODY =
  '{"EventId":"4b5ce038-50f2-4796-bdb2-f96908cf31c2","Timestamp":"2018-04-24T08:52:59.0005158Z","Changes":[],"Event":"test","PrimaryKey":0,"Entity":"test","ContextIdentifier":"Default","ChangedByAssociateId":316,"WebhookName":"Name you provided"}';
const VECTOR_3_BODY = '{"Event":"person.changed","PrimaryKey":18,"WebhookName":"Ærlig"}';

const vectors = [
  {
    name: 'vector 1 (contact.changed)',
    secret: 'Something Super Secret',
    body: VECTOR_1_BODY,
    bytes: 351,
    signature: 'gdik2Gsiu/KRsrjdVhuNrV1qglx57iW/uP8YT0IV3p8=',
  },
  {
    name: 'vector 2 (test event)',
    secret: 'Super',
    body: VECTOR_2_BODY,
    bytes: 243,
    signature: 'g2r7dSb6J9qwfYoo1EVW8Tv1cJUvz8t2o4O66MrUDS0=',
  },
  {
    name: 'vector 3 (non-ASCII)',
    secret: 'søppel-nøkkel',
    body: VECTOR_3_BODY,
    bytes: 65,
    signature: '+8sbkaMSXOoqJq3X/10z4bJc4nIqLEIsZCdHqf4Tf6M=',
  },
];

describe('verifySignature', () => {
  it.each(vectors)('accepts $name', ({ secret, body, bytes, signature }) => {
    const raw = Buffer.from(body, 'utf8');
    expect(raw.length).toBe(bytes);
    expect(verifySignature(raw, signature, [secret])).toEqual({ ok: true, secretIndex: 0 });
  });

  it.each(vectors)('rejects $name after a one-byte change', ({ secret, body, signature }) => {
    const changed = Buffer.from(body.replace(/^\{/, '{ '), 'utf8');
    expect(verifySignature(changed, signature, [secret])).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    const flipped = Buffer.from(body, 'utf8');
    flipped[10] = flipped[10]! ^ 0x01;
    expect(verifySignature(flipped, signature, [secret])).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('accepts the previous secret during a rotation and says which matched', () => {
    const v = vectors[0]!;
    expect(verifySignature(Buffer.from(v.body), v.signature, ['the-new-secret', v.secret])).toEqual(
      { ok: true, secretIndex: 1 },
    );
  });

  it('rejects a signature made with another secret', () => {
    const v = vectors[0]!;
    expect(verifySignature(Buffer.from(v.body), v.signature, ['wrong'])).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['empty', '  ', 'missing'],
    ['hex instead of base64', 'a'.repeat(64), 'malformed'],
    ['truncated', 'gdik2Gsiu/KRsrjdVhuNrV1qglx57iW/uP8YT0IV3p8', 'malformed'],
    [
      'duplicated header (joined by Node)',
      'gdik2Gsiu/KRsrjdVhuNrV1qglx57iW/uP8YT0IV3p8=, gdik2Gsiu/KRsrjdVhuNrV1qglx57iW/uP8YT0IV3p8=',
      'malformed',
    ],
    ['base64url alphabet', 'gdik2Gsiu_KRsrjdVhuNrV1qglx57iW_uP8YT0IV3p8=', 'malformed'],
  ])('rejects a %s header', (_label, header, reason) => {
    const v = vectors[0]!;
    expect(verifySignature(Buffer.from(v.body), header, [v.secret])).toEqual({ ok: false, reason });
  });
});

describe('constantTimeEquals', () => {
  it('compares strings of any length without throwing', () => {
    expect(constantTimeEquals('token-1', 'token-1')).toBe(true);
    expect(constantTimeEquals('token-1', 'token-2')).toBe(false);
    expect(constantTimeEquals('short', 'a much longer candidate')).toBe(false);
    expect(constantTimeEquals('', '')).toBe(true);
  });
});

describe('verifySignature compares in constant time', () => {
  const v = vectors[0]!;
  const body = Buffer.from(v.body);
  const digest = Buffer.from(v.signature, 'base64');
  const withLastByte = (change: (byte: number) => number) => {
    const copy = Buffer.from(digest);
    copy[copy.length - 1] = change(copy[copy.length - 1]!);
    return copy.toString('base64');
  };
  let spy: jest.SpiedFunction<typeof crypto.timingSafeEqual>;
  beforeEach(() => {
    spy = jest.spyOn(crypto, 'timingSafeEqual');
  });
  afterEach(() => {
    spy.mockRestore();
  });

  it('refuses a signature differing only in its last byte, after a timingSafeEqual of two 32-byte digests per secret', () => {
    const lastByteOff = withLastByte((b) => b ^ 0x01);
    expect(lastByteOff).not.toBe(v.signature);
    expect(lastByteOff.slice(0, 40)).toBe(v.signature.slice(0, 40));
    expect(verifySignature(body, lastByteOff, ['another-secret', v.secret])).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) {
      expect(Buffer.isBuffer(a) && Buffer.isBuffer(b)).toBe(true);
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
    expect(spy.mock.results.map((r) => r.value)).toEqual([false, false]);
  });

  it('tries every secret even when the first one matches (no early exit)', () => {
    expect(verifySignature(body, v.signature, [v.secret, 'next-secret', 'third'])).toEqual({
      ok: true,
      secretIndex: 0,
    });
    expect(spy).toHaveBeenCalledTimes(3);
    expect(spy.mock.results.map((r) => r.value)).toEqual([true, false, false]);
  });

  it.each([
    ['one byte shorter', digest.subarray(0, 31).toString('base64')],
    ['one byte longer', Buffer.concat([digest, Buffer.from([0])]).toString('base64')],
    ['a SHA-512 sized value', Buffer.alloc(64, 7).toString('base64')],
  ])(
    'refuses a signature of a different length (%s) without comparing or throwing',
    (_l, signature) => {
      expect(verifySignature(body, signature, [v.secret])).toEqual({
        ok: false,
        reason: 'malformed',
      });
      expect(spy).not.toHaveBeenCalled();
    },
  );
});
