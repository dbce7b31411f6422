// pnpm bench / bench:quick: runs the benchmarks one after another, each as its own process
// (`node dist/<name>.bench.js [--quick] --out <section file>`), and writes bench/RESULTS.md (or the
// gitignored bench/RESULTS.quick.md) = header + summary table + the sections in order. Every
// figure in it is a ratio against a baseline measured in the same run; nothing asserts wall-clock.
//   node dist/run-all.js [--quick] [--only ingest,filter-stage,...] [--merge]
// With --merge (needs --only), the selected sections and their summary rows replace (or are
// inserted into) the existing results file; its header and the other sections stay as they are.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUMMARY_MARKER, machineHeader, parseArgs } from './bench-common';
import { mergeResults } from './results-merge';

const BENCHMARKS = [
  'ingest',
  'filter-stage',
  'latency',
  'cost',
  'scale-out',
  'sweep',
  'backfill',
  'footprint',
  'tenants',
  'cluster',
  'failover',
  'logging',
] as const;
type Name = (typeof BENCHMARKS)[number];

function parseOnly(argv: readonly string[]): Name[] | undefined {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i < 0) return undefined;
  const arg = argv[i]!;
  const value = arg.startsWith('--only=') ? arg.slice('--only='.length) : (argv[i + 1] ?? '');
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `--only: unknown benchmark(s) ${unknown.join(', ') || '(none given)'}; known: ${BENCHMARKS.join(', ')}\n`,
    );
    process.exit(2);
  }
  return names as Name[];
}

interface Outcome {
  readonly name: Name;
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly seconds: number;
  readonly section?: string;
  readonly summary?: string | undefined;
  readonly note?: string;
}

function run(name: Name, quick: boolean, sectionDir: string): Outcome {
  const script = join(__dirname, `${name}.bench.js`);
  if (!existsSync(script)) {
    return {
      name,
      status: 'failed',
      seconds: 0,
      note: `bench/dist/${name}.bench.js does not exist (is bench/src/${name}.bench.ts written and built?)`,
    };
  }
  const out = join(sectionDir, `${name}.md`);
  rmSync(out, { force: true });
  process.stdout.write(`\n=== ${name}${quick ? ' (quick)' : ''} ===\n`);
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [script, ...(quick ? ['--quick'] : []), '--out', out],
    {
      stdio: 'inherit',
      env: process.env,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `=== ${name}: ${seconds.toFixed(1)} s, exit ${result.status ?? result.signal} ===\n`,
  );
  if (result.status !== 0 || !existsSync(out)) {
    return {
      name,
      status: 'failed',
      seconds,
      note: result.error
        ? result.error.message
        : `exited with ${result.status ?? result.signal}${existsSync(out) ? '' : ', no section written'}`,
    };
  }
  const text = readFileSync(out, 'utf8');
  const summary = SUMMARY_MARKER.exec(text)?.[1];
  const section = text.replace(SUMMARY_MARKER, '').trimEnd();
  return { name, status: 'ok', seconds, section, summary };
}

function main(): void {
  const argv = process.argv.slice(2);
  const { quick } = parseArgs(argv);
  const only = parseOnly(argv);
  const merge = argv.includes('--merge');
  if (merge && !only) {
    process.stderr.write('--merge needs --only <benchmarks>: the sections to put into the file\n');
    process.exit(2);
  }
  const sectionDir = join(__dirname, '..', '.tmp', 'sections');
  mkdirSync(sectionDir, { recursive: true });
  const started = performance.now();

  const outcomes: Outcome[] = BENCHMARKS.map((name) =>
    only && !only.includes(name)
      ? { name, status: 'skipped' as const, seconds: 0, note: 'not selected by --only' }
      : run(name, quick, sectionDir),
  );
  const totalS = (performance.now() - started) / 1000;

  const summaryRows = outcomes.map((o) => {
    if (o.status === 'ok' && o.summary) return `| ${o.summary} |`;
    if (o.status === 'ok') return `| ${o.name} | (no summary line) | | |`;
    return `| ${o.name} | ${o.status.toUpperCase()} | | ${o.note ?? ''} |`;
  });
  const command = `pnpm bench${quick ? ':quick' : ''}${only ? ` --only ${only.join(',')}` : ''}${merge ? ' --merge' : ''}`;
  const sections = outcomes
    .filter((o) => o.status === 'ok')
    .map((o) => o.section)
    .join('\n\n');
  const missing = outcomes.filter((o) => o.status !== 'ok');
  const report = `# Benchmark results

${machineHeader(command)}
Total run time ${totalS.toFixed(0)} s (${outcomes
    .filter((o) => o.status !== 'skipped')
    .map((o) => `${o.name} ${o.seconds.toFixed(0)} s`)
    .join(
      ', ',
    )}).${quick ? '\nQuick run: reduced durations and sizes, for development only; the ratios are noisier.' : ''}

## Summary

One headline ratio per benchmark; each is measured against its baseline in the same run.

| Benchmark | Headline | Ratio | Context |
|---|---|---|---|
${summaryRows.join('\n')}
${missing.length > 0 ? `\n${missing.map((o) => `- **${o.name}**: ${o.status}: ${o.note ?? ''}`).join('\n')}\n` : ''}
${sections}
`;
  const file = join(__dirname, '..', quick ? 'RESULTS.quick.md' : 'RESULTS.md');
  const name = `bench/${quick ? 'RESULTS.quick.md' : 'RESULTS.md'}`;
  if (merge && existsSync(file)) {
    const fresh = outcomes
      .filter((o) => o.status === 'ok')
      .map((o) => ({ section: o.section ?? '', summaryRow: o.summary && `| ${o.summary} |` }));
    const note = `From \`${command}\` on ${new Date().toISOString().slice(0, 10)} (${totalS.toFixed(0)} s), merged into this file after the run above; Node ${process.version}.`;
    writeFileSync(file, mergeResults(readFileSync(file, 'utf8'), fresh, note));
  } else writeFileSync(file, report);
  process.stdout.write(
    `\n${summaryRows.join('\n')}\n\n${merge ? 'merged into' : 'written to'} ${name} in ${totalS.toFixed(0)} s\n`,
  );
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length > 0) {
    process.stderr.write(
      `benchmark(s) failed: ${failed.map((o) => `${o.name} (${o.note ?? ''})`).join('; ')}\n`,
    );
    process.exit(1);
  }
}

main();
