#!/usr/bin/env node
// Workspace consistency (STYLE.md principle 13): one version per shared dependency via the pnpm
// catalog, workspace packages linked as workspace:*, every package with the same task names.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const workspaceYaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
const catalog = new Set(
  [
    ...workspaceYaml
      .split('catalog:')[1]
      .split('\n\n')[0]
      .matchAll(/^\s+"?([@\w./-]+)"?:/gm),
  ].map((m) => m[1]),
);
const problems = [];
const manifests = ['apps', 'packages', 'tooling']
  .flatMap((dir) =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => join(dir, name)) : [],
  )
  .concat(['.', 'bench', 'e2e', 'conformance'])
  .map((dir) => join(root, dir, 'package.json'))
  .filter(existsSync);

for (const file of manifests) {
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  for (const field of [
    'dependencies',
    'devDependencies',
    'optionalDependencies',
    'peerDependencies',
  ]) {
    for (const [name, spec] of Object.entries(pkg[field] ?? {})) {
      if (field === 'peerDependencies') continue;
      if (name.startsWith('@so-connector/') && spec !== 'workspace:*')
        problems.push(`${pkg.name}: ${name} must be "workspace:*"`);
      if (catalog.has(name) && spec !== 'catalog:')
        problems.push(`${pkg.name}: ${name} must be "catalog:" (one version for the repo)`);
    }
  }
  const isCode = /[\\/](apps|packages)[\\/]/.test(file);
  if (isCode) {
    for (const script of ['build', 'typecheck', 'lint']) {
      if (!pkg.scripts?.[script]) problems.push(`${pkg.name}: missing "${script}" script`);
    }
    if (/[\\/]apps[\\/]/.test(file) && !pkg.scripts?.start)
      problems.push(`${pkg.name}: an app needs a "start" script`);
  }
}
if (problems.length > 0) {
  console.error(`workspace check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`workspace check: ${manifests.length} package.json files consistent`);
