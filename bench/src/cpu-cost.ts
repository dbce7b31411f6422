// What a benchmark's events cost in CPU: Redis's own (INFO cpu, INFO commandstats) and a consumer
// process's (/proc/<pid>/stat), as the difference between a snapshot before and one after. CPU time
// per event hardly depends on what else the shared machine does; events/s does, a lot.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { infoNumber } from './bench-common';

/** Linux's clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat's utime and stime. */
const TICKS_PER_S = 100;

export interface CpuSnapshot {
  readonly redisCpuS: number;
  /** total_commands_processed: a Lua script's own commands count one each, besides its EVALSHA. */
  readonly commands: number;
  readonly evalshaCalls: number;
  readonly processCpuS: number;
}

/** CPU seconds (user + system) a process has used so far. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name in parentheses: state is field 3, utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

export async function cpuSnapshot(redis: Redis, pid: number): Promise<CpuSnapshot> {
  const [info, commandStats] = await Promise.all([redis.info(), redis.info('commandstats')]);
  return {
    redisCpuS: infoNumber(info, 'used_cpu_user') + infoNumber(info, 'used_cpu_sys'),
    commands: infoNumber(info, 'total_commands_processed'),
    evalshaCalls: Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(commandStats)?.[1] ?? 0),
    processCpuS: processCpuSeconds(pid),
  };
}

/** Per event between two snapshots: CPU in µs, commands and EVALSHAs in calls. */
export interface CpuPerEvent {
  readonly redisUs: number;
  readonly processUs: number;
  readonly commands: number;
  readonly evalsha: number;
}

export function perEvent(before: CpuSnapshot, after: CpuSnapshot, events: number): CpuPerEvent {
  return {
    redisUs: ((after.redisCpuS - before.redisCpuS) / events) * 1e6,
    processUs: ((after.processCpuS - before.processCpuS) / events) * 1e6,
    commands: (after.commands - before.commands) / events,
    evalsha: (after.evalshaCalls - before.evalshaCalls) / events,
  };
}
