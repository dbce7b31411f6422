import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventJobData } from '@so-connector/queue';

const SUFFIX = '.json';

/**
 * A directory of events the receiver accepted while Redis was unreachable, one file per event.
 * A write is durable before it returns: the file is written to a temp name, fsynced, renamed into
 * place and the directory fsynced, so a crash leaves either the whole event or nothing.
 * File names start with the accept time, so draining keeps arrival order.
 */
export class DiskSpool {
  private count = 0;

  private constructor(readonly dir: string) {}

  /** Opens (creating if needed) the spool directory and counts what a previous run left. */
  static async open(dir: string): Promise<DiskSpool> {
    const spool = new DiskSpool(dir);
    await mkdir(join(dir, 'rejected'), { recursive: true });
    spool.count = (await spool.list()).length;
    return spool;
  }

  /** Events waiting to be drained. */
  depth(): number {
    return this.count;
  }

  async write(data: EventJobData): Promise<void> {
    const name = `${Date.now().toString().padStart(15, '0')}-${data.event.EventId.toLowerCase()}${SUFFIX}`;
    const temp = join(this.dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`);
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(JSON.stringify(data));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, join(this.dir, name));
    await this.syncDirectory();
    this.count++;
  }

  /** Spooled file names, oldest first. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => n.endsWith(SUFFIX) && !n.startsWith('.')).sort();
  }

  async read(name: string): Promise<unknown> {
    return JSON.parse(await readFile(join(this.dir, name), 'utf8')) as unknown;
  }

  /** Removes a file once its event is in Redis. */
  async remove(name: string): Promise<void> {
    await unlink(join(this.dir, name));
    this.count = Math.max(0, this.count - 1);
  }

  /** Moves a file that can never be queued (unreadable, wrong schema) aside, keeping it for a human. */
  async reject(name: string): Promise<void> {
    await rename(join(this.dir, name), join(this.dir, 'rejected', name));
    this.count = Math.max(0, this.count - 1);
  }

  async writable(): Promise<boolean> {
    try {
      await access(this.dir, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  private async syncDirectory(): Promise<void> {
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
