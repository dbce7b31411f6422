/**
 * Prints the scrypt hash of a tenant admin's password for ADMIN_USERS (docs/dashboard.md):
 *
 *   read -rs PW && printf '%s\n' "$PW" | node apps/receiver/dist/admin/hash-admin-password.js
 *   ... | docker run --rm -i so-connector node /app/receiver/dist/admin/hash-admin-password.js
 *
 * The password is read from the first line of standard input (never from an argument, which
 * would land in the shell history and the process list) and is not stored.
 */
import { createInterface } from 'node:readline';
import { formatPasswordHash } from '@so-connector/config';
import { hashPassword } from './admin-users';

const MIN_LENGTH = 12;

async function main(): Promise<void> {
  if (process.stdin.isTTY) process.stderr.write('Password of the tenant admin: ');
  const lines = createInterface({ input: process.stdin, terminal: false });
  let password = '';
  for await (const line of lines) {
    password = line.replace(/\r$/, '');
    break;
  }
  lines.close();
  if (password.length < MIN_LENGTH) {
    process.stderr.write(`\nThe password must be at least ${MIN_LENGTH} characters.\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`${formatPasswordHash(await hashPassword(password))}\n`);
}

void main();
