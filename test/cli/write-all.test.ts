import { describe, expect, it } from 'vitest';
import { writeAll } from '../../src/cli/lint.js';
import type { Io } from '../../src/cli/main.js';

/** An output whose buffer is full after every second piece and drains on the next turn of the event loop. */
function slowPipe(goneAfter = Infinity): { io: Io; log: string[] } {
  const log: string[] = [];
  let full = false;
  let written = 0;
  const io: Io = {
    stdout: (s) => {
      expect(full).toBe(false); // never written to while full
      log.push(s);
      written++;
      if (written % 2 === 0) full = true;
    },
    stderr: () => undefined,
    isTTY: false,
    drained: () =>
      full
        ? new Promise((resolve) =>
            setImmediate(() => {
              full = false;
              log.push('(drained)');
              resolve(written < goneAfter);
            }),
          )
        : Promise.resolve(true),
  };
  return { io, log };
}

describe('writeAll', () => {
  it('writes every piece in order, waiting for the output to drain before writing more', async () => {
    const { io, log } = slowPipe();
    await writeAll(['a', 'b', 'c', 'd', 'e'], io);
    expect(log).toEqual(['a', 'b', '(drained)', 'c', 'd', '(drained)', 'e']);
  });

  it('stops writing when the reader has gone', async () => {
    const { io, log } = slowPipe(2);
    await writeAll(['a', 'b', 'c', 'd'], io);
    expect(log).toEqual(['a', 'b', '(drained)']);
  });

  it('writes everything at once to an output that never fills (a file, a terminal, a test)', async () => {
    const log: string[] = [];
    await writeAll(['x', 'y'], { stdout: (s) => log.push(s), stderr: () => undefined, isTTY: false });
    expect(log).toEqual(['x', 'y']);
  });
});
