import { LogStream, RunHooks } from './runtime-driver.port';

/**
 * Forwards output chunks to `onLog` until `maxBytes` (stdout and stderr together) have been delivered,
 * cutting the chunk that crosses the limit; everything after is drained and dropped so the writer
 * never blocks on a full pipe.
 */
export class LogCapture {
  private delivered = 0;
  private dropped = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onLog?: RunHooks['onLog'],
  ) {}

  push(stream: LogStream, chunk: Buffer): void {
    const room = this.maxBytes - this.delivered;
    if (room <= 0) {
      this.dropped += chunk.length;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.delivered += part.length;
    this.dropped += chunk.length - part.length;
    if (this.onLog) {
      try {
        this.onLog(stream, part);
      } catch {
        // a faulty consumer must not break the run
      }
    }
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  get deliveredBytes(): number {
    return this.delivered;
  }

  get droppedBytes(): number {
    return this.dropped;
  }
}
