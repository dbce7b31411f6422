// The `@so-connector/logger/signals` entry: importing it installs the SIGTERM/SIGINT handlers.
// Each process's `main.ts` imports it first, because imports run before the first statement and
// loading the others takes a second or more on a busy host; a signal before any handler is installed
// kills the process by the signal (exit code null). Never imported by the package's index, so a
// test or library that imports the logger never changes how its process reacts to signals.
import { trapStopSignals } from './stop-signals';

export const stopSignals = trapStopSignals();
