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
  const credentials = { user: 'ops', password: 'a-long-password-42' };
  const salt = randomBytes(32);
  const sut = createSessionSigner(credentials, 60_000, salt);
  const now = Date.UTC(2025, 0, 1);

  it('accepts what it issued until it expires', () => {
    const { value, expiresAt } = sut.issue(now);
    expect(expiresAt.getTime()).toBe(now + 60_000);
    expect(sut.verify(value, now)).toBe(true);
    expect(sut.verify(value, now + 59_999)).toBe(true);
    expect(sut.verify(value, now + 60_000)).toBe(false);
  });

  it('refuses a value whose expiry was moved, a forged signature and garbage', () => {
    const { value } = sut.issue(now);
    const [expires, signature] = value.split('.');
    expect(sut.verify(`${Number(expires) + 3_600_000}.${signature}`, now)).toBe(false);
    const flipped = `${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'B' : 'A'}`;
    expect(sut.verify(`${expires}.${flipped}`, now)).toBe(false);
    expect(sut.verify(undefined, now)).toBe(false);
    expect(sut.verify('', now)).toBe(false);
    expect(sut.verify('123.abc', now)).toBe(false);
  });

  it('refuses sessions of another process (salt) or of another password', () => {
    const { value } = sut.issue(now);
    expect(createSessionSigner(credentials, 60_000).verify(value, now)).toBe(false);
    expect(
      createSessionSigner({ ...credentials, password: 'another-password-43' }, 60_000, salt).verify(
        value,
        now,
      ),
    ).toBe(false);
    expect(createSessionSigner(credentials, 60_000, salt).verify(value, now)).toBe(true);
  });

  it('never puts the password in the session value', () => {
    const { value } = sut.issue(now);
    expect(value).not.toContain(credentials.password);
    expect(Buffer.from(value.split('.')[1]!, 'base64url').toString('utf8')).not.toContain(
      credentials.password,
    );
  });
});
