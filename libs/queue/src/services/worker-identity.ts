import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** Names this process in job effects and BullMQ's worker list: `<host>:<pid>:<random>`. */
@Injectable()
export class WorkerIdentity {
  readonly instanceId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
