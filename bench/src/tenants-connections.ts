// Benchmark 8's connection count: which of Redis's clients (CLIENT LIST) belong to which process,
// found through the kernel (the client's local port → its socket inode in /proc/net/tcp → the
// process holding that inode in /proc/<pid>/fd), and which of them are BullMQ workers (their
// connection name, as Queue.getWorkers() reads it).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@so-connector/queue';

export interface ProcessConnections {
  /** Redis connections held by the process. */
  readonly connections: number;
  /** Of those, BullMQ workers (a worker's blocking connection, named by BullMQ). */
  readonly workers: number;
  /** Of those, blocked in a command right now (BZPOPMIN and the like). */
  readonly blocked: number;
}

interface Client {
  readonly port: number;
  readonly cmd: string;
  readonly flags: string;
}

function parseClientList(text: string): Client[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = new Map(
        line.split(' ').map((kv) => {
          const at = kv.indexOf('=');
          return [kv.slice(0, at), kv.slice(at + 1)] as const;
        }),
      );
      const addr = fields.get('addr') ?? '';
      return {
        port: Number(addr.slice(addr.lastIndexOf(':') + 1)),
        cmd: fields.get('cmd') ?? '',
        flags: fields.get('flags') ?? '',
      };
    });
}

/** local port → socket inode of the TCP connections to `remotePort` (IPv4 and IPv6). */
function socketInodes(remotePort: number): Map<number, string> {
  const byPort = new Map<number, string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const local = Number.parseInt(cols[1]!.split(':')[1] ?? '', 16);
      const remote = Number.parseInt(cols[2]!.split(':')[1] ?? '', 16);
      if (remote === remotePort) byPort.set(local, cols[9]!);
    }
  }
  return byPort;
}

/** Socket inodes a process holds open. */
function inodesOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** Connections, BullMQ workers and blocked clients per named process (by pid). */
export async function connectionsByProcess(
  redisUrl: string,
  redisPort: number,
  prefix: string,
  pids: Readonly<Record<string, number>>,
): Promise<Record<string, ProcessConnections>> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queues = Object.values(QUEUE_NAMES).map(
    (name) => new Queue(name, { connection: redis, prefix }),
  );
  try {
    const clients = parseClientList(String(await redis.client('LIST')));
    const workerPorts = new Set<number>();
    for (const queue of queues) {
      for (const worker of await queue.getWorkers()) {
        const raw = (worker as Record<string, unknown>).addr;
        const addr = typeof raw === 'string' ? raw : '';
        workerPorts.add(Number(addr.slice(addr.lastIndexOf(':') + 1)));
      }
    }
    const inodes = socketInodes(redisPort);
    const result: Record<string, ProcessConnections> = {};
    for (const [label, pid] of Object.entries(pids)) {
      const held = inodesOf(pid);
      const mine = clients.filter((c) => held.has(inodes.get(c.port) ?? ''));
      result[label] = {
        connections: mine.length,
        workers: mine.filter((c) => workerPorts.has(c.port)).length,
        blocked: mine.filter((c) => c.flags.includes('b') || /^bz|^brpoplpush|^blmove/i.test(c.cmd))
          .length,
      };
    }
    return result;
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    redis.disconnect();
  }
}
