import { formatPasswordHash, parseAdminUsers, type AdminUserConfig } from '@so-connector/config';
import { adminDirectory, hashPassword, MAX_CONCURRENT_CHECKS, verifyPassword } from './admin-users';

// The smallest cost ADMIN_USERS accepts keeps the tests quick.
const cost = { N: 2 ** 14, r: 8, p: 1 };
const operator = { user: 'ops', password: 'operator-password-1' };

async function usersOf(entries: [string, string, string][]): Promise<readonly AdminUserConfig[]> {
  const lines = await Promise.all(
    entries.map(async ([user, password, tenants]) => {
      const hash = formatPasswordHash(await hashPassword(password, cost));
      return `${user}:${hash}:${tenants}`;
    }),
  );
  const parsed = parseAdminUsers(lines.join(' '));
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('hashPassword / verifyPassword', () => {
  it('verifies the password it hashed and nothing else; a new salt each time', async () => {
    const hash = await hashPassword('tenant-admin-password', cost);
    expect(await verifyPassword('tenant-admin-password', hash)).toBe(true);
    expect(await verifyPassword('tenant-admin-passwore', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
    const again = await hashPassword('tenant-admin-password', cost);
    expect(again.salt).not.toBe(hash.salt);
    expect(again.key).not.toBe(hash.key);
    expect(formatPasswordHash(hash)).not.toContain('tenant-admin-password');
  });
});

describe('adminDirectory', () => {
  it('signs in the operator (all tenants) and each tenant admin (its tenants)', async () => {
    const users = await usersOf([
      ['anna', 'anna-password-123', 'CustA'],
      ['bob', 'bob-password-1234', 'CustA,CustB'],
    ]);
    const sut = adminDirectory(operator, users);
    expect(await sut.check(operator)).toEqual({ kind: 'operator', user: 'ops' });
    expect(await sut.check({ user: 'anna', password: 'anna-password-123' })).toEqual({
      kind: 'tenant',
      user: 'anna',
      tenants: ['CustA'],
    });
    expect(await sut.check({ user: 'bob', password: 'bob-password-1234' })).toMatchObject({
      tenants: ['CustA', 'CustB'],
    });
    expect(sut.find('bob')).toMatchObject({ kind: 'tenant', tenants: ['CustA', 'CustB'] });
    expect(sut.find('ops')).toEqual({ kind: 'operator', user: 'ops' });
    expect(sut.find('mallory')).toBeUndefined();
  });

  it("refuses a wrong password, another user's password, an unknown name and the operator's password for a tenant admin", async () => {
    const users = await usersOf([
      ['anna', 'anna-password-123', 'CustA'],
      ['bob', 'bob-password-1234', 'CustB'],
    ]);
    const sut = adminDirectory(operator, users);
    for (const given of [
      { user: 'anna', password: 'bob-password-1234' },
      { user: 'anna', password: operator.password },
      { user: 'ops', password: 'anna-password-123' },
      { user: 'mallory', password: 'anna-password-123' },
      { user: 'Anna', password: 'anna-password-123' },
    ])
      expect(await sut.check(given)).toBeUndefined();
  });

  it('derives the session key from every credential, never holding a tenant password', async () => {
    const users = await usersOf([['anna', 'anna-password-123', 'CustA']]);
    const one = adminDirectory(operator, users).keyMaterial;
    expect(one).not.toContain('anna-password-123');
    const changed = await usersOf([['anna', 'anna-password-456', 'CustA']]);
    expect(adminDirectory(operator, changed).keyMaterial).not.toBe(one);
    expect(
      adminDirectory({ ...operator, password: 'other-password-2' }, users).keyMaterial,
    ).not.toBe(one);
  });

  it('runs at most MAX_CONCURRENT_CHECKS password checks at once; a remembered sign-in needs none', async () => {
    const users = await usersOf([['anna', 'anna-password-123', 'CustA']]);
    const sut = adminDirectory(operator, users);
    // Remembered: signed in once, then answered without a check even while the limit is full.
    expect(await sut.check({ user: 'anna', password: 'anna-password-123' })).toMatchObject({
      user: 'anna',
    });
    const running = Array.from({ length: MAX_CONCURRENT_CHECKS }, () =>
      sut.check({ user: 'anna', password: 'wrong-password-1' }),
    );
    // Beyond the limit: refused at once (a flood of Basic headers must not fill the thread pool).
    expect(await sut.check({ user: 'bob', password: 'whatever-password' })).toBeUndefined();
    expect(await sut.check({ user: 'anna', password: 'anna-password-123' })).toMatchObject({
      user: 'anna',
    });
    expect(await Promise.all(running)).toEqual(Array(MAX_CONCURRENT_CHECKS).fill(undefined));
    // The limit frees up as the checks end.
    expect(await sut.check(operator)).toEqual({ kind: 'operator', user: 'ops' });
  });
});
