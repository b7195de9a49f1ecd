import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Linux's /proc counts CPU time in clock ticks (USER_HZ), almost always 100 a second.
let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??=
    Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** The numeric fields of `/proc/<pid>/stat` after the command name (field 3 is index 0). */
function statFields(pid: number | 'self'): number[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is in parentheses and may hold spaces: read after the last `)`.
  return text
    .slice(text.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
}

/** CPU seconds (user + system, every thread) a running process has used. */
export function processCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return ((fields[11] ?? 0) + (fields[12] ?? 0)) / clockTicks();
}

/**
 * CPU seconds this process's finished children have used (user + system), as the kernel adds
 * them up once each child is reaped: the difference around one `wrk` run is that run's CPU.
 */
export function finishedChildrenCpuSeconds(): number {
  const fields = statFields('self');
  return ((fields[13] ?? 0) + (fields[14] ?? 0)) / clockTicks();
}
