import { randomBytes } from 'node:crypto';
import { ConfigError, loadReceiverConfig } from './index';
import { formatPasswordHash, parseAdminUsers, parsePasswordHash } from './admin-users';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');
const HASH = formatPasswordHash({ N: 2 ** 15, r: 8, p: 1, salt: b64(16), key: b64(32) });
const valid = {
  SO_CONTEXT_IDENTIFIER: 'Cust12345',
  WEBHOOK_SECRET: 'current-secret-value',
  ADMIN_USER: 'ops',
  ADMIN_PASSWORD: 'operator-password-1',
};

/** The ConfigError loading `env` throws (the test fails when it loads). */
function errorOf(env: Record<string, string>): ConfigError {
  let thrown: unknown;
  try {
    loadReceiverConfig(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

describe('parsePasswordHash', () => {
  it('reads back what formatPasswordHash wrote', () => {
    const hash = { N: 2 ** 14, r: 8, p: 2, salt: b64(16), key: b64(32) };
    expect(parsePasswordHash(formatPasswordHash(hash))).toEqual(hash);
  });

  it.each([
    ['a clear-text password', 'correct-horse-battery', 'is not a password hash'],
    ['another scheme', HASH.replace('scrypt', 'bcrypt'), 'is not a password hash'],
    ['a cost below 2^14', HASH.replace('.15.', '.10.'), 'out of range'],
    ['a cost over 256 MiB', HASH.replace('.15.8.', '.20.16.'), 'more than 256 MiB'],
    [
      'a short salt',
      formatPasswordHash({ N: 2 ** 15, r: 8, p: 1, salt: b64(8), key: b64(32) }),
      'salt under 16 bytes',
    ],
    [
      'a salt that is not base64url',
      HASH.replace(/\.([^.]+)\.([^.]+)$/, '.a+b/c.$2'),
      'not base64url',
    ],
  ])('refuses %s', (_what, text, problem) => {
    expect(parsePasswordHash(text)).toEqual(expect.stringContaining(problem));
  });
});

describe('ADMIN_USERS', () => {
  it('reads users, their hashes and tenants; separated by spaces, newlines or ;', () => {
    const users = parseAdminUsers(
      ` anna:${HASH}:CustA\nbob@partner:${HASH}:CustA,CustB;carl:${HASH}:CustC,CustC `,
    );
    expect(users).toEqual([
      { user: 'anna', passwordHash: parsePasswordHash(HASH), tenants: ['CustA'] },
      { user: 'bob@partner', passwordHash: parsePasswordHash(HASH), tenants: ['CustA', 'CustB'] },
      { user: 'carl', passwordHash: parsePasswordHash(HASH), tenants: ['CustC'] },
    ]);
    expect(
      loadReceiverConfig({ ...valid, ADMIN_USERS: `anna:${HASH}:CustA` }).admin?.users,
    ).toEqual([{ user: 'anna', passwordHash: parsePasswordHash(HASH), tenants: ['CustA'] }]);
    expect(loadReceiverConfig({ ...valid, ADMIN_USERS: '  ' }).admin?.users).toEqual([]);
    expect(loadReceiverConfig(valid).admin?.users).toEqual([]);
  });

  it.each([
    [
      'a clear-text password',
      'anna:correct-horse-battery:CustA',
      'entry 1 (anna): the password hash is not a password hash',
    ],
    ['no tenant', `anna:${HASH}:`, 'entry 1 (anna) names no tenant'],
    ['a space in a tenant list', `anna:${HASH}:CustA, CustB`, 'entry 2 is not user:password-hash'],
    ['a tenant id with a slash', `anna:${HASH}:Cust/1`, '"Cust/1" is not a ContextIdentifier'],
    ['a missing field', `anna:${HASH}`, 'entry 1 is not user:password-hash:tenant1,tenant2'],
    ['a bad user name', `an<na:${HASH}:CustA`, 'the user name must be'],
    ['one user twice', `anna:${HASH}:CustA Anna:${HASH}:CustB`, 'names user Anna twice'],
    ['the operator', `OPS:${HASH}:CustA`, 'names the operator ADMIN_USER as a tenant admin'],
  ])('refuses %s in one line naming ADMIN_USERS, without the value', (_what, value, problem) => {
    const error = errorOf({ ...valid, ADMIN_USERS: value });
    expect(error.variables).toEqual(['ADMIN_USERS']);
    expect(error.message).toMatch(/^invalid configuration: ADMIN_USERS /);
    expect(error.message).toContain(problem);
    expect(error.message).not.toContain(HASH);
    expect(error.message).not.toContain('correct-horse-battery');
    expect(error.message).not.toContain('\n');
  });

  it('needs the operator: tenant admins alone do not switch the admin UI on', () => {
    const { ADMIN_USER: _u, ADMIN_PASSWORD: _p, ...noOperator } = valid;
    const error = errorOf({ ...noOperator, ADMIN_USERS: `anna:${HASH}:CustA` });
    expect(error.message).toContain('ADMIN_USERS needs ADMIN_USER/ADMIN_PASSWORD');
  });
});
