import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TENANT_KEY_KINDS } from './tenant-keys';

/**
 * TENANT_KEY_KINDS is what moveTenantKeys moves when QUEUE_PARTITIONS changes and what
 * tenantOfKey recognises. A store that writes a new kind of tenant key and is not listed there
 * would be left behind in the old partition. This test reads the product's source (apps/*\/src and
 * packages/*\/src, tests excluded) for the keys built on a tenant's prefix and holds the list to
 * them, both ways.
 */
const ROOT = join(__dirname, '..', '..', '..');

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
    }
  };
  for (const top of ['apps', 'packages'])
    for (const unit of readdirSync(join(ROOT, top), { withFileTypes: true }))
      if (unit.isDirectory()) {
        try {
          walk(join(ROOT, top, unit.name, 'src'));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
  return files;
}

interface KeyUse {
  readonly file: string;
  readonly kind: string;
  readonly text: string;
}

/** Keys of the form `${prefixOfTenant(…)}:kind…` or `${storePrefixOf(…)}:kind…`. */
const TENANT_PREFIXED = /`\$\{(?:prefixOfTenant|storePrefixOf)\([^`]*?\)\}:([a-z][a-z-]*)/g;
/** A key on a plain prefix that carries a tenant: `${…prefix…}:…${…tenant…|…contextIdentifier…}`. */
const PLAIN_WITH_TENANT =
  /`\$\{(?!prefixOfTenant|storePrefixOf)[^}`]*[pP]refix[^}`]*\}:[^`]*\$\{[^}`]*(?:[tT]enant|contextIdentifier)[^}`]*\}[^`]*`/g;

function uses(pattern: RegExp): KeyUse[] {
  const found: KeyUse[] = [];
  for (const path of sourceFiles()) {
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(pattern))
      found.push({ file: relative(ROOT, path), kind: match[1] ?? '', text: match[0] });
  }
  return found;
}

/**
 * Keys on a plain prefix that name a tenant (file and key text), each with why it is not in
 * TENANT_KEY_KINDS. A new one fails this test until it is either built on the tenant's prefix or
 * listed here.
 */
const PLAIN_TENANT_KEYS: readonly (Omit<KeyUse, 'kind'> & { readonly why: string })[] = [
  {
    file: 'packages/tenants/src/tenant-pauses.ts',
    text: '`${prefix}:pause:{${contextIdentifier}}:${source}`',
    // Its caller (apps/worker tenant-pause.ts) passes prefixOfTenant(…); tenantOfKey reads
    // `pause:{tenant}:` keys on their own.
    why: 'the prefix is given by the caller',
  },
  {
    file: 'packages/tenants/src/reconsent-marks.ts',
    text: '`${reconsentKey(prefix)}:${contextIdentifier}:deferred`',
    why: "re-consent marks belong to the registry, in QUEUE_PREFIX's slot (architecture.md)",
  },
];

describe('TENANT_KEY_KINDS', () => {
  const prefixed = uses(TENANT_PREFIXED);

  it("lists every kind of key the product builds on a tenant's prefix", () => {
    expect(prefixed.length).toBeGreaterThan(0);
    const unlisted = prefixed.filter(
      (use) => !(TENANT_KEY_KINDS as readonly string[]).includes(use.kind),
    );
    expect(unlisted).toEqual([]);
  });

  it('lists no kind that the product no longer builds', () => {
    const built = new Set(prefixed.map((use) => use.kind));
    expect(TENANT_KEY_KINDS.filter((kind) => !built.has(kind))).toEqual([]);
  });

  it("builds no other tenant key on a plain prefix (it would stay in partition 0's slot)", () => {
    const plain = uses(PLAIN_WITH_TENANT).filter(
      (use) =>
        !PLAIN_TENANT_KEYS.some((known) => known.file === use.file && known.text === use.text),
    );
    expect(plain).toEqual([]);
    // …and every listed exception still exists (a stale entry would hide nothing, but mislead).
    const found = uses(PLAIN_WITH_TENANT);
    for (const known of PLAIN_TENANT_KEYS)
      expect(found.some((use) => use.file === known.file && use.text === known.text)).toBe(true);
  });

  it('finds such a key when one is written (the patterns are not blind)', () => {
    const sample = 'const key = `${this.prefix}:quota:${tenant}:day`;';
    expect([...sample.matchAll(PLAIN_WITH_TENANT)]).toHaveLength(1);
    const tenantSample = 'return `${prefixOfTenant(this.prefix, tenant)}:quota:${tenant}`;';
    expect([...tenantSample.matchAll(TENANT_PREFIXED)].map((m) => m[1])).toEqual(['quota']);
  });
});
