// scripts/docker-smoke.sh: every package in the image's bundles must be one the lockfile pins.
//   node docker/smoke/lockfile-versions.mjs pnpm-lock.yaml <listing>
// <listing> is `ls /app/*/node_modules/.pnpm` run in the image: one directory per installed
// package, named `name@version` (`/` of a scope as `+`, peers after `_`). Exit 0 when each
// name@version is a key of the lockfile's `packages:`, 1 naming those that are not.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const [lockfilePath, listingPath] = process.argv.slice(2);
const lockfile = parse(readFileSync(lockfilePath, 'utf8'));
const pinned = new Set(Object.keys(lockfile.packages ?? {}));

const bundled = new Set();
for (const line of readFileSync(listingPath, 'utf8').split('\n')) {
  const entry = line.trim();
  // Headers (`/app/cli/node_modules/.pnpm:`), pnpm's own files, our workspace packages (file:).
  if (!entry || entry.endsWith(':') || !entry.includes('@', 1)) continue;
  const at = entry.indexOf('@', 1);
  const name = entry.slice(0, at).replace('+', '/');
  const version = entry.slice(at + 1).split('_')[0];
  if (version.startsWith('file+') || version.startsWith('link+')) continue;
  bundled.add(`${name}@${version}`);
}

const unpinned = [...bundled].filter((pkg) => !pinned.has(pkg)).sort();
if (bundled.size === 0) {
  process.stderr.write('lockfile-versions: no packages found in the listing\n');
  process.exit(1);
}
if (unpinned.length > 0) {
  process.stderr.write(
    `lockfile-versions: ${unpinned.length} of ${bundled.size} packages in the image are not the lockfile's: ${unpinned.join(', ')}\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `docker-smoke: PASS all ${bundled.size} packages in the image's bundles are at the lockfile's versions\n`,
);
