import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import {
  Clock,
  decodeCursor,
  Page,
  pageLimit,
  PageQueryDto,
  toPage,
  ValidationFailedError,
} from '@aihub/core';
import type { BatchView, CreateBatchDto } from '../dto/batch.dto';
import { BatchEntity } from '../entities/batch.entity';
import { batchMachine } from '../lifecycle/state-machine';
import { BatchNumberTakenError } from '../scenarios.errors';
import { LifecycleAccess } from './lifecycle-access.service';
import { toBatchView } from './views';

/** Numbered batches (第N期需求清单): the operator creates and publishes them; the public reads published ones. */
@Injectable()
export class BatchesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: LifecycleAccess,
    private readonly clock: Clock,
  ) {}

  async create(actor: AuthenticatedActor, dto: CreateBatchDto): Promise<BatchView> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(BatchEntity);
        // checked first so the common case does not log a failed statement; the unique index decides races
        if (await repo.exists({ where: { number: dto.number } })) throw new BatchNumberTakenError(dto.number);
        const batch = await repo.save(
          repo.create({
            number: dto.number,
            title: dto.title.trim(),
            status: 'draft',
            createdBy: actor.user.id,
          }),
        );
        await this.audit.record(manager, {
          action: 'batch.create',
          objectType: 'Batch',
          objectId: batch.id,
          details: { number: batch.number, title: batch.title },
        });
        return toBatchView(batch);
      });
    } catch (err) {
      if (
        err instanceof QueryFailedError &&
        (err.driverError as { constraint?: string }).constraint === 'uq_batches_number'
      )
        throw new BatchNumberTakenError(dto.number);
      throw err;
    }
  }

  async publish(actor: AuthenticatedActor, id: string): Promise<BatchView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(BatchEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      const batch = await this.access.authorize(actor, 'publish', 'Batch', row, id);
      const status = batchMachine.nextState(batch.status, 'publish');
      const publishedAt = this.clock.now();
      await manager.getRepository(BatchEntity).update({ id }, { status, publishedAt });
      await this.audit.record(manager, {
        action: 'batch.publish',
        objectType: 'Batch',
        objectId: id,
        details: { from: batch.status, to: status, number: batch.number },
      });
      return toBatchView({ ...batch, status, publishedAt });
    });
  }

  /** Newest batch first (keyset on the batch number). */
  async list(actor: Actor, query: PageQueryDto): Promise<Page<BatchView>> {
    const limit = pageLimit(query);
    const after = decodeCursor(query.cursor);
    const qb = this.dataSource.getRepository(BatchEntity).createQueryBuilder('b');
    whereAccessible(qb, actor.ability, 'read', 'Batch');
    if (after) {
      const number = Number(after.key);
      if (!Number.isInteger(number))
        throw new ValidationFailedError([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
      qb.andWhere('b.number < :number', { number });
    }
    const rows = await qb
      .orderBy('b.number', 'DESC')
      .take(limit + 1)
      .getMany();
    return toPage(rows, limit, (b) => ({ key: String(b.number), id: b.id }), toBatchView);
  }

  async get(actor: Actor, id: string): Promise<BatchView> {
    const row = await this.dataSource.getRepository(BatchEntity).findOne({ where: { id } });
    return toBatchView(await this.access.authorize(actor, 'read', 'Batch', row, id));
  }
}
