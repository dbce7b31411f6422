import { randomBytes } from 'node:crypto';
import {
  constantTimeEqual,
  createSessionSigner,
  credentialsMatch,
  parseBasicAuth,
  readCookie,
} from './auth';

describe('constantTimeEqual', () => {
  it('is true only for identical strings', () => {
    expect(constantTimeEqual('correct horse battery', 'correct horse battery')).toBe(true);
    expect(constantTimeEqual('correct horse battery', 'correct horse batterY')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('ä', 'a')).toBe(false);
  });

  it('compares strings of different lengths without throwing (digests are equal-length)', () => {
    expect(() => constantTimeEqual('short', 'a much longer string than that')).not.toThrow();
    expect(constantTimeEqual('short', 'a much longer string than that')).toBe(false);
    expect(constantTimeEqual('prefix', 'prefix-and-more')).toBe(false);
  });
});

describe('credentialsMatch', () => {
  const expected = { user: 'ops', password: 'a-long-password-42' };

  it('needs both the user and the password', () => {
    expect(credentialsMatch({ user: 'ops', password: 'a-long-password-42' }, expected)).toBe(true);
    expect(credentialsMatch({ user: 'ops', password: 'wrong' }, expected)).toBe(false);
    expect(credentialsMatch({ user: 'other', password: 'a-long-password-42' }, expected)).toBe(
      false,
    );
    expect(credentialsMatch({ user: 'OPS', password: 'a-long-password-42' }, expected)).toBe(false);
  });
});

describe('parseBasicAuth', () => {
  const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

  it('decodes user and password; the password may contain colons', () => {
    expect(parseBasicAuth(basic('ops:pa:ss:word'))).toEqual({
      user: 'ops',
      password: 'pa:ss:word',
    });
    expect(parseBasicAuth(basic('øpś:pässwörd'))).toEqual({ user: 'øpś', password: 'pässwörd' });
  });

  it.each([undefined, '', 'Bearer abc', 'Basic', 'Basic !!!', basic('no-colon')])(
    'returns undefined for %j',
    (header) => {
      expect(parseBasicAuth(header)).toBeUndefined();
    },
  );
});

describe('readCookie', () => {
  it('finds one cookie among several', () => {
    expect(readCookie('a=1; so_admin=abc.def; b=2', 'so_admin')).toBe('abc.def');
    expect(readCookie('so_admin_x=1', 'so_admin')).toBeUndefined();
    expect(readCookie(undefined, 'so_admin')).toBeUndefined();
  });
});

describe('createSessionSigner', () => {
  const material = 'ops\u0000a-long-password-42';
  const salt = randomBytes(32);
  const sut = createSessionSigner(material, 60_000, salt);
  const now = Date.UTC(2025, 0, 1);

  it('accepts what it issued, as the user it was issued to, until it expires', () => {
    const { value, expiresAt } = sut.issue('ops', now);
    expect(expiresAt.getTime()).toBe(now + 60_000);
    expect(sut.verify(value, now)).toBe('ops');
    expect(sut.verify(value, now + 59_999)).toBe('ops');
    expect(sut.verify(value, now + 60_000)).toBeUndefined();
    expect(sut.verify(sut.issue('anna@cust1', now).value, now)).toBe('anna@cust1');
  });

  it('refuses a value whose expiry or user was changed, a forged signature and garbage', () => {
    const { value } = sut.issue('anna', now);
    const [user, expires, signature] = value.split('.');
    expect(sut.verify(`${user}.${Number(expires) + 3_600_000}.${signature}`, now)).toBeUndefined();
    const ops = Buffer.from('ops').toString('base64url');
    expect(sut.verify(`${ops}.${expires}.${signature}`, now)).toBeUndefined();
    const flipped = `${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'B' : 'A'}`;
    expect(sut.verify(`${user}.${expires}.${flipped}`, now)).toBeUndefined();
    expect(sut.verify(undefined, now)).toBeUndefined();
    expect(sut.verify('', now)).toBeUndefined();
    expect(sut.verify('123.abc', now)).toBeUndefined();
  });

  it('refuses sessions of another process (salt) or of other credentials', () => {
    const { value } = sut.issue('ops', now);
    expect(createSessionSigner(material, 60_000).verify(value, now)).toBeUndefined();
    expect(
      createSessionSigner('ops\u0000another-password-43', 60_000, salt).verify(value, now),
    ).toBeUndefined();
    expect(createSessionSigner(material, 60_000, salt).verify(value, now)).toBe('ops');
  });

  it('never puts the key material in the session value', () => {
    const { value } = sut.issue('ops', now);
    expect(value).not.toContain('a-long-password-42');
    for (const part of value.split('.'))
      expect(Buffer.from(part, 'base64url').toString('utf8')).not.toContain('a-long-password-42');
  });
});
