// The image's HEALTHCHECK (node, because the slim image has no curl): finds which app this
// container runs and probes its health endpoint on loopback. Exit 0 = healthy, 1 = unhealthy.
//   receiver   GET :$PORT/healthz          (default 3000)
//   worker     GET :$METRICS_PORT/healthz  (default 9464; METRICS_PORT=0 serves none: process check only)
//   simulator  GET :$SIM_PORT/sim/counters  (default 4010; a read that counts no API call)
// The one-shot commands (cli, demo) have nothing to probe and count as healthy while they run.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');

/** The app whose process runs in this container, from the command lines in /proc. */
function runningApp() {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let cmdline;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue; // the process ended meanwhile
    }
    const app = /\/app\/(receiver|worker|cli)\/dist\/main\.js/.exec(cmdline)?.[1];
    if (app) return app;
    if (cmdline.includes('/app/simulator/dist/main.js')) return 'simulator';
    if (cmdline.includes('/app/docker/demo.mjs')) return 'demo';
  }
  return undefined;
}

function probeUrl(app, env) {
  switch (app) {
    case 'receiver':
      return `http://127.0.0.1:${env.PORT || 3000}/healthz`;
    case 'worker':
      return env.METRICS_PORT === '0'
        ? undefined
        : `http://127.0.0.1:${env.METRICS_PORT || 9464}/healthz`;
    case 'simulator':
      return `http://127.0.0.1:${env.SIM_PORT || 4010}/sim/counters`;
    default:
      return undefined;
  }
}

async function main() {
  const app = runningApp();
  if (app === undefined) {
    process.stderr.write('healthcheck: no so-connector app runs in this container\n');
    return 1;
  }
  const url = probeUrl(app, process.env);
  if (url === undefined) return 0;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
    if (!res.ok) process.stderr.write(`healthcheck: ${app} ${url} answered ${res.status}\n`);
    return res.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`healthcheck: ${app} ${url}: ${error.message}\n`);
    return 1;
  }
}

if (require.main === module) main().then((code) => process.exit(code));
module.exports = { probeUrl };
