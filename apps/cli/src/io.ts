/** A stream the CLI writes to; `isTTY` decides whether progress lines are shown. */
export interface OutStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean | undefined;
}

/** Everything the CLI takes from its process: passed in, so tests run it in-process. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: OutStream;
  readonly stderr: OutStream;
}

/**
 * Human-readable text by default, one JSON document on stdout with `--json`. Progress and notes
 * go to stderr, so stdout stays the result alone (pipe-friendly in both modes).
 */
export class Output {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** The command's result: `document` as JSON with --json, else the text `human()` returns. */
  result(document: unknown, human: () => string): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    else {
      const text = human();
      this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A progress line for a long operation; shown only when stderr is a terminal. */
  progress(message: string): void {
    if (this.io.stderr.isTTY) this.io.stderr.write(`… ${message}\n`);
  }

  /** A note the operator must see (a warning, what to do next); always on stderr. */
  note(message: string): void {
    this.io.stderr.write(`${message}\n`);
  }
}
