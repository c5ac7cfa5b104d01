import { Clock } from '@aihub/core';
import { UserEntity } from '@aihub/identity';
import { NotificationEntity, NotificationsService, type NotifyInput } from '@aihub/notifications';
import { createTestApp, PROBLEM_JSON, TestApp, TestUser } from '../utils/test-app';

interface NotificationBody {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  objectType: string | null;
  objectId: string | null;
  createdAt: string;
  readAt: string | null;
}
interface PageBody {
  items: NotificationBody[];
  nextCursor: string | null;
  unreadCount: number;
}

describe('notifications (e2e)', () => {
  let t: TestApp;
  let clock: Clock;

  beforeAll(async () => {
    t = await createTestApp();
    clock = t.get(Clock);
  });
  afterAll(() => t.close());

  const notify = (input: NotifyInput) =>
    t.dataSource.transaction((manager) => t.get(NotificationsService).notify(manager, input));
  const rowsFor = (userId: string, kind?: string) =>
    t.dataSource.getRepository(NotificationEntity).find({ where: kind ? { userId, kind } : { userId } });
  const inbox = async (user: TestUser, query: Record<string, string | number> = {}) =>
    (await t.http.get('/api/v1/notifications').query(query).set(user.auth).expect(200)).body as PageBody;

  describe('recipient resolution', () => {
    it('resolves organizations and roles to active members, once per user', async () => {
      const a1 = await t.createUser(['enterprise']);
      const org = await t.dataSource.getRepository(UserEntity).findOneByOrFail({ id: a1.id });
      const a2 = await t.createUser(['enterprise'], { id: org.organizationId } as never);
      const inactive = await t.createUser(['enterprise'], { id: org.organizationId } as never);
      await t.dataSource.getRepository(UserEntity).update({ id: inactive.id }, { active: false });
      // a role no lifecycle notification targets: other suites share this database and count theirs
      const auditor = await t.createUser(['auditor']);
      const outsider = await t.createUser(['enterprise']);
      const kind = `test.resolution.${a1.id}`;

      // a1 is reached three ways (user id, organization, role) and still gets exactly one row
      await notify({
        recipients: { userIds: [a1.id, a1.id], organizationIds: [a1.organizationId], roles: ['auditor'] },
        kind,
        title: '揭榜申请被退回修改',
        body: '请补充材料后重新提交。',
        objectType: 'Application',
        objectId: a1.id,
      });
      expect(await rowsFor(a1.id, kind)).toHaveLength(1);
      expect(await rowsFor(a2.id, kind)).toHaveLength(1);
      expect(await rowsFor(auditor.id, kind)).toHaveLength(1);
      expect(await rowsFor(inactive.id, kind)).toHaveLength(0);
      expect(await rowsFor(outsider.id, kind)).toHaveLength(0);

      const [row] = await rowsFor(a1.id, kind);
      expect(row).toEqual(
        expect.objectContaining({
          title: '揭榜申请被退回修改',
          body: '请补充材料后重新提交。',
          objectType: 'Application',
          objectId: a1.id,
          readAt: null,
        }),
      );
    });

    it('resolves members at insert time: someone who joins later does not get past notifications', async () => {
      const first = await t.createUser(['gov']);
      const kind = `test.later.${first.id}`;
      await notify({ recipients: { organizationIds: [first.organizationId] }, kind, title: '公示开始' });
      const later = await t.createUser(['gov'], { id: first.organizationId } as never);
      expect(await rowsFor(first.id, kind)).toHaveLength(1);
      expect(await rowsFor(later.id, kind)).toHaveLength(0);
    });

    it('joins the caller’s transaction: a rolled-back change notifies nobody', async () => {
      const user = await t.createUser(['enterprise']);
      const kind = `test.rollback.${user.id}`;
      await expect(
        t.dataSource.transaction(async (manager) => {
          await t.get(NotificationsService).notify(manager, {
            recipients: { userIds: [user.id] },
            kind,
            title: '不会送达',
          });
          throw new Error('business change failed');
        }),
      ).rejects.toThrow('business change failed');
      expect(await rowsFor(user.id, kind)).toHaveLength(0);
    });
  });

  describe('inbox', () => {
    it('lists only the caller’s own notifications, newest first, with an unread count', async () => {
      const alice = await t.createUser(['enterprise']);
      const bob = await t.createUser(['enterprise']);
      await notify({ recipients: { userIds: [alice.id] }, kind: 'publicity.opened', title: '第一条' });
      clock.advance(1000);
      await notify({ recipients: { userIds: [alice.id] }, kind: 'publicity.closed', title: '第二条' });
      await notify({ recipients: { userIds: [bob.id] }, kind: 'publicity.opened', title: 'Bob 的通知' });

      const page = await inbox(alice);
      expect(page.items.map((n) => n.title)).toEqual(['第二条', '第一条']);
      expect(page.unreadCount).toBe(2);
      expect(page.nextCursor).toBeNull();
      expect(page.items[0]).toEqual({
        id: expect.any(String),
        kind: 'publicity.closed',
        title: '第二条',
        body: null,
        objectType: null,
        objectId: null,
        createdAt: expect.any(String),
        readAt: null,
      });
      expect((await inbox(bob)).items.map((n) => n.title)).toEqual(['Bob 的通知']);
      await t.http.get('/api/v1/notifications').expect(401);
    });

    it('marks one read (idempotent), filters unread, and answers 404 for someone else’s', async () => {
      const alice = await t.createUser(['enterprise']);
      const mallory = await t.createUser(['enterprise']);
      const operator = await t.createUser(['operator']);
      await notify({ recipients: { userIds: [alice.id] }, kind: 'objection.filed', title: '收到异议' });
      await notify({ recipients: { userIds: [alice.id] }, kind: 'objection.resolved', title: '异议已处理' });
      const [latest, older] = (await inbox(alice)).items;

      // another user (even an operator) cannot read or mark it, and cannot tell it exists
      for (const other of [mallory, operator]) {
        const res = await t.http.post(`/api/v1/notifications/${older.id}/read`).set(other.auth).expect(404);
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(res.body.code).toBe('NOTIFICATION_NOT_FOUND');
        expect((await inbox(other)).items.map((n) => n.id)).not.toContain(older.id);
      }
      const none = await t.http
        .post('/api/v1/notifications/00000000-0000-4000-8000-000000000000/read')
        .set(alice.auth)
        .expect(404);
      expect(none.body.code).toBe('NOTIFICATION_NOT_FOUND');
      await t.http.post('/api/v1/notifications/not-a-uuid/read').set(alice.auth).expect(400);
      expect((await rowsFor(alice.id)).every((n) => n.readAt === null)).toBe(true);

      const read = await t.http.post(`/api/v1/notifications/${older.id}/read`).set(alice.auth).expect(200);
      expect(read.body).toEqual(expect.objectContaining({ id: older.id, readAt: expect.any(String) }));
      clock.advance(5000);
      const again = await t.http.post(`/api/v1/notifications/${older.id}/read`).set(alice.auth).expect(200);
      expect(again.body.readAt).toBe(read.body.readAt);

      const unread = await inbox(alice, { unread: 'true' });
      expect(unread.items.map((n) => n.id)).toEqual([latest.id]);
      expect(unread.unreadCount).toBe(1);
      expect((await inbox(alice, { unread: 'false' })).items).toHaveLength(2);
      const bad = await t.http.get('/api/v1/notifications?unread=maybe').set(alice.auth).expect(400);
      expect(bad.body.errors[0].field).toBe('unread');
    });

    it('marks all of the caller’s notifications read, and nobody else’s', async () => {
      const alice = await t.createUser(['enterprise']);
      const bob = await t.createUser(['enterprise']);
      for (const title of ['一', '二', '三'])
        await notify({ recipients: { userIds: [alice.id, bob.id] }, kind: 'publicity.opened', title });
      const res = await t.http.post('/api/v1/notifications/read-all').set(alice.auth).expect(200);
      expect(res.body).toEqual({ marked: 3, unreadCount: 0 });
      expect((await inbox(alice, { unread: 'true' })).items).toEqual([]);
      expect((await inbox(bob)).unreadCount).toBe(3);
      const twice = await t.http.post('/api/v1/notifications/read-all').set(alice.auth).expect(200);
      expect(twice.body).toEqual({ marked: 0, unreadCount: 0 });
    });

    it('paginates newest first with a stable keyset cursor, also across equal timestamps', async () => {
      const user = await t.createUser(['enterprise']);
      const repo = t.dataSource.getRepository(NotificationEntity);
      const base = clock.now().getTime();
      // 7 rows: three share one timestamp (the id breaks the tie)
      const times = [0, 1, 1, 1, 2, 3, 4].map((s) => new Date(base + s * 1000));
      await repo.save(
        times.map((createdAt, i) =>
          repo.create({ userId: user.id, kind: 'test.page', title: `通知 ${i}`, createdAt, readAt: null }),
        ),
      );
      const expected = (await repo.find({ where: { userId: user.id } }))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        .map((n) => n.id);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: PageBody = await inbox(user, cursor ? { limit: 2, cursor } : { limit: 2 });
        expect(page.items.length).toBeLessThanOrEqual(2);
        expect(page.unreadCount).toBe(pages === 0 ? 7 : 8);
        seen.push(...page.items.map((n) => n.id));
        cursor = page.nextCursor;
        // a notification arriving mid-walk is newer than the cursor: it must not shift the pages
        if (pages++ === 0) {
          clock.advance(10_000);
          await notify({ recipients: { userIds: [user.id] }, kind: 'test.page', title: '新' });
        }
      } while (cursor);
      expect(seen).toEqual(expected);
      expect(pages).toBe(4);

      const bad = await t.http.get('/api/v1/notifications?cursor=garbage').set(user.auth).expect(400);
      expect(bad.body.errors[0].field).toBe('cursor');
    });
  });
});
