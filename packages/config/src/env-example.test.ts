import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { receiverEnvSchema } from './schema';
import { workerEnvSchema } from './worker-schema';

// .env.example is the operator's checklist: it must name exactly what the processes read.
const example = readFileSync(join(__dirname, '..', '..', '..', '.env.example'), 'utf8');
const listed = new Set(
  [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!),
);
const read = new Set([
  ...Object.keys(receiverEnvSchema.shape),
  ...Object.keys(workerEnvSchema.shape),
]);

describe('.env.example', () => {
  it('lists every variable the receiver and the worker read', () => {
    expect([...read].filter((name) => !listed.has(name)).sort()).toEqual([]);
  });

  it('lists no variable that nothing reads', () => {
    expect([...listed].filter((name) => !read.has(name)).sort()).toEqual([]);
  });
});
