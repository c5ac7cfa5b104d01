import type { EntityManager } from 'typeorm';
import { Clock } from '@aihub/core';
import { InvalidNotificationError } from '../notifications.errors';
import { normalizeNotifyInput, NotificationsService } from './notifications.service';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('normalizeNotifyInput', () => {
  it('de-duplicates recipients and trims text', () => {
    const n = normalizeNotifyInput({
      recipients: { userIds: [A, A, B], organizationIds: [B, B], roles: ['operator', 'operator'] },
      kind: ' application.returned ',
      title: ' 揭榜申请被退回修改 ',
      body: '  ',
    });
    expect(n).toEqual({
      userIds: [A, B],
      organizationIds: [B],
      roles: ['operator'],
      kind: 'application.returned',
      title: '揭榜申请被退回修改',
      body: null,
      objectType: null,
      objectId: null,
    });
  });

  it('refuses ids that are not UUIDs, empty titles and empty kinds', () => {
    expect(() => normalizeNotifyInput({ recipients: { userIds: ['x'] }, kind: 'k', title: 't' })).toThrow(
      InvalidNotificationError,
    );
    expect(() => normalizeNotifyInput({ recipients: { userIds: [A] }, kind: 'k', title: ' ' })).toThrow(
      /title/,
    );
    expect(() => normalizeNotifyInput({ recipients: { userIds: [A] }, kind: '', title: 't' })).toThrow(
      /kind/,
    );
  });
});

describe('NotificationsService.notify', () => {
  const managerWith = (query: jest.Mock) => ({ query }) as unknown as EntityManager;

  it('does not touch the database when there are no recipients', async () => {
    const query = jest.fn();
    await new NotificationsService(new Clock()).notify(managerWith(query), {
      recipients: { userIds: [], organizationIds: [], roles: [] },
      kind: 'k',
      title: '标题',
    });
    expect(query).not.toHaveBeenCalled();
  });

  it('resolves recipients in one INSERT … SELECT in the caller’s transaction, with the injected clock', async () => {
    const query = jest.fn().mockResolvedValue([{ id: 'n1' }]);
    const clock = new Clock();
    clock.advance(3_600_000);
    await new NotificationsService(clock).notify(managerWith(query), {
      recipients: { userIds: [A], organizationIds: [B], roles: ['gov'] },
      kind: 'publicity.opened',
      title: '公示开始',
      objectType: 'Publicity',
      objectId: 'p1',
    });
    expect(query).toHaveBeenCalledTimes(1);
    const [sql, params] = query.mock.calls[0] as [string, unknown[]];
    expect(sql).toMatch(/INSERT INTO notifications[\s\S]*SELECT[\s\S]*FROM users u[\s\S]*u\.active/);
    expect(params.slice(0, 8)).toEqual([
      [A],
      [B],
      ['gov'],
      'publicity.opened',
      '公示开始',
      null,
      'Publicity',
      'p1',
    ]);
    expect((params[8] as Date).getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  });
});
