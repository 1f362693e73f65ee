/**
 * A progress line on a terminal: one line on stderr, rewritten in place (carriage return, erase
 * line), at most every `intervalMs`, erased when done so the report starts on a clean line. No
 * progress library is installed in the project and this needs none. Only for a TTY: a cron job's
 * log or a pipe gets nothing.
 */

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressLine {
  /** Shows `text` unless the last update was less than the interval ago (or `force`). */
  update(text: string, force?: boolean): void;
  /** Erases the line. */
  done(): void;
}

const ERASE = '\r\u001b[2K';

export function progressLine(stream: ProgressStream, now: () => number, intervalMs = 200): ProgressLine | undefined {
  if (stream.isTTY !== true) return undefined;
  let last = -Infinity;
  let shown = false;
  return {
    update(text, force = false) {
      const at = now();
      if (!force && at - last < intervalMs) return;
      last = at;
      shown = true;
      // Control characters from the logs never reach the terminal through a progress line.
      stream.write(ERASE + text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?'));
    },
    done() {
      if (shown) stream.write(ERASE);
      shown = false;
    },
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
