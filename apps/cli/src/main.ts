#!/usr/bin/env node
import { processEnvironment } from '@so-connector/config';
import { runCli } from './program';

runCli(process.argv.slice(2), {
  env: processEnvironment(),
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `so-connector: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
