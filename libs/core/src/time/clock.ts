import { Injectable } from '@nestjs/common';

/** The server clock. Injected everywhere time matters so tests can move it. */
@Injectable()
export class Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** test support: shift the clock forward (or back) */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  reset(): void {
    this.offsetMs = 0;
  }
}
