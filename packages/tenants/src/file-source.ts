import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { EnvMap } from './env-ref';
import { TenantsFileError } from './errors';
import type { TenantDefaults } from './schema';
import { freezeTenant, type TenantConfig } from './tenant-config';
import { parseTenantsFile } from './tenants-file';
import { serialised, type SourceEvents, type TenantSource } from './tenant-source';

export interface FileSourceOptions {
  /** TENANTS_FILE. */
  readonly path: string;
  /** Variables `env:NAME` values are read from (the app passes its environment). */
  readonly env: EnvMap;
  readonly defaults?: TenantDefaults;
  /**
   * How often the file is re-read regardless of watch events (default 2000 ms). fs.watch misses
   * changes on some file systems (network mounts) and when a Kubernetes ConfigMap swaps the
   * symlinked directory, so the poll is what guarantees "within 5 s".
   */
  readonly pollIntervalMs?: number;
  /** Quiet time after a watch event before reading, so an editor's several writes read as one. */
  readonly settleMs?: number;
}

/** TENANTS_FILE, re-read when it changes; an invalid version keeps the last good set. */
export class FileTenantSource implements TenantSource {
  readonly name = 'file';
  private current = new Map<string, TenantConfig>();
  /** The text last read (valid or not): an unchanged file is not parsed or reported again. */
  private lastText: string | undefined;
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly reloads = serialised(() => this.reload());
  private events: SourceEvents | undefined;

  constructor(private readonly options: FileSourceOptions) {}

  tenants(): ReadonlyMap<string, TenantConfig> {
    return this.current;
  }

  async start(events: SourceEvents): Promise<void> {
    const text = await this.read();
    this.apply(text);
    this.events = events;
    const path = resolve(this.options.path);
    try {
      this.watcher = watch(dirname(path), { persistent: false }, (_event, filename) => {
        if (filename === null || filename === basename(path)) this.soon();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // No watch support here: the poll alone picks up changes.
    }
    this.poll = setInterval(() => this.reloads.kick(), this.options.pollIntervalMs ?? 2000);
    this.poll.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.settle);
    this.watcher?.close();
    await this.reloads.idle();
  }

  private soon(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.reloads.kick(), this.options.settleMs ?? 100);
    this.settle.unref();
  }

  private async read(): Promise<string> {
    try {
      return await readFile(this.options.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new TenantsFileError(this.options.path, [], `cannot read it (${code})`);
    }
  }

  /** Parses and takes `text`; throws (keeping the current set) when it is invalid. */
  private apply(text: string): void {
    this.lastText = text;
    const tenants = parseTenantsFile(text, this.options);
    this.current = new Map(tenants.map((t) => [t.contextIdentifier, freezeTenant(t)]));
  }

  private async reload(): Promise<void> {
    if (this.closed || this.events === undefined) return;
    let text: string;
    try {
      text = await this.read();
    } catch (error) {
      // Read again in full once the file is back, even if its text is the same as before.
      this.lastText = undefined;
      this.events.failed(error as Error);
      return;
    }
    if (this.closed || text === this.lastText) return;
    try {
      this.apply(text);
    } catch (error) {
      this.events.failed(error as Error);
      return;
    }
    this.events.loaded();
  }
}
