import { generateKeyPairSync, verify } from 'node:crypto';
import {
  AppPrivateKeyError,
  loadAppPrivateKey,
  signSystemUserToken,
  systemTokenTimestamp,
} from './system-user-token';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();

describe('systemTokenTimestamp', () => {
  it('writes yyyyMMddHHmm in UTC with leading zeros', () => {
    expect(systemTokenTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 59)))).toBe('202601020304');
    expect(systemTokenTimestamp(new Date('2026-11-30T23:59:00+01:00'))).toBe('202611302259');
  });
});

describe('signSystemUserToken', () => {
  it('signs "{token}.{stamp}" with RSA-SHA256 (PKCS#1 v1.5), standard Base64', () => {
    const at = new Date(Date.UTC(2015, 10, 11, 13, 42));
    const signed = signSystemUserToken('Application Name-pzqc70604i', rsa.privateKey, at);
    const [token, stamp, signature] = [
      signed.slice(0, signed.indexOf('.')),
      signed.split('.')[1],
      signed.split('.')[2]!,
    ];
    expect(`${token}.${stamp}`).toBe('Application Name-pzqc70604i.201511111342');
    expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const data = Buffer.from('Application Name-pzqc70604i.201511111342');
    expect(verify('sha256', data, rsa.publicKey, Buffer.from(signature, 'base64'))).toBe(true);
  });
});

describe('loadAppPrivateKey', () => {
  it('reads PKCS#1 and PKCS#8 PEM, PEM with literal \\n, bytes and a KeyObject', () => {
    const pkcs8 = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    for (const input of [pem, pkcs8, pem.replace(/\n/g, '\\n'), Buffer.from(pem), rsa.privateKey])
      expect(loadAppPrivateKey(input).asymmetricKeyType).toBe('rsa');
  });

  it('refuses a public key, another algorithm and garbage, naming no key material', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const garbage =
      '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----';
    const cases: [unknown, RegExp][] = [
      [rsa.publicKey, /public key, not a private key/],
      [ec, /is ec, not RSA/],
      [garbage, /not a readable PEM private key/],
    ];
    for (const [input, message] of cases) {
      let error: unknown;
      try {
        loadAppPrivateKey(input as string);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AppPrivateKeyError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('c2VjcmV0');
      expect((error as Error).message).not.toContain('BEGIN');
    }
  });
});
