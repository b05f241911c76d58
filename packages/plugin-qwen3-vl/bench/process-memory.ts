import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Resident memory of this process from `/proc/self` (Linux), for the bench: current RSS, the kernel's high-water mark
 * (`VmHWM`) and its reset (`clear_refs` = 5), so each phase reports its own peak. Elsewhere, `process.memoryUsage()`
 * and `resourceUsage().maxRSS` (no reset).
 */
export const processMemory = {
  /** Current resident set size, bytes. */
  rss(): number {
    try {
      return Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
    } catch {
      return process.memoryUsage().rss;
    }
  },
  /** Peak resident set size since the start or the last {@link processMemory.resetPeak}, bytes. */
  peak(): number {
    try {
      return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
    } catch {
      return process.resourceUsage().maxRSS * 1024;
    }
  },
  /** Starts a new peak from the current RSS; false when the system does not allow it. */
  resetPeak(): boolean {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      return true;
    } catch {
      return false;
    }
  },
};
