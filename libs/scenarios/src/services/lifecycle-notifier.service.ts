import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { NOTIFICATION_KINDS, NotificationsService } from '@aihub/notifications';
import type { ApplicationEntity } from '../entities/application.entity';
import type { PublicityEntity } from '../entities/publicity.entity';
import type { ScenarioEntity } from '../entities/scenario.entity';

/**
 * The lifecycle's in-app notifications, written in the transaction of the change they announce.
 * Titles are user-facing (Simplified Chinese); kinds are machine-readable.
 */
@Injectable()
export class LifecycleNotifier {
  constructor(private readonly notifications: NotificationsService) {}

  formalCheck(
    manager: EntityManager,
    app: ApplicationEntity,
    scenario: ScenarioEntity,
    decision: 'pass' | 'return' | 'reject',
    reason: string | null,
  ): Promise<void> {
    const spec = {
      pass: { kind: 'application.formal_passed', title: '揭榜申报已通过形式审查' },
      return: { kind: NOTIFICATION_KINDS.applicationReturned, title: '揭榜申报已退回修改' },
      reject: { kind: NOTIFICATION_KINDS.applicationRejected, title: '揭榜申报未通过形式审查' },
    }[decision];
    return this.notifications.notify(manager, {
      recipients: { organizationIds: [app.applicantOrgId] },
      kind: spec.kind,
      title: spec.title,
      body: reason ? `场景「${scenario.title}」：${reason}` : `场景「${scenario.title}」`,
      objectType: 'Application',
      objectId: app.id,
    });
  }

  selection(manager: EntityManager, app: ApplicationEntity, scenario: ScenarioEntity, selected: boolean) {
    return this.notifications.notify(manager, {
      recipients: { organizationIds: [app.applicantOrgId] },
      kind: selected ? NOTIFICATION_KINDS.applicationSelected : NOTIFICATION_KINDS.applicationNotSelected,
      title: selected ? '恭喜，揭榜申报已入选' : '揭榜申报未入选',
      body: `场景「${scenario.title}」公示期满。`,
      objectType: 'Application',
      objectId: app.id,
    });
  }

  objectionFiled(manager: EntityManager, publicity: PublicityEntity, objectionId: string) {
    return this.notifications.notify(manager, {
      recipients: { roles: ['operator'] },
      kind: NOTIFICATION_KINDS.objectionFiled,
      title: '收到新的公示异议',
      body: `公示 ${publicity.id} 收到一条实名异议，请及时处理。`,
      objectType: 'Objection',
      objectId: objectionId,
    });
  }

  objectionResolved(manager: EntityManager, objectorId: string, objectionId: string, upheld: boolean) {
    return this.notifications.notify(manager, {
      recipients: { userIds: [objectorId] },
      kind: NOTIFICATION_KINDS.objectionResolved,
      title: upheld ? '您提出的公示异议已成立' : '您提出的公示异议经核查不成立',
      objectType: 'Objection',
      objectId: objectionId,
    });
  }

  publicity(
    manager: EntityManager,
    publicity: PublicityEntity,
    scenario: ScenarioEntity,
    organizationIds: string[],
    event: 'opened' | 'closed',
  ) {
    const failed = publicity.outcome === 'failed';
    const title =
      event === 'opened'
        ? `「${scenario.title}」揭榜结果公示开始`
        : failed
          ? `「${scenario.title}」公示结束：异议成立，需重新提名`
          : `「${scenario.title}」公示期满`;
    return this.notifications.notify(manager, {
      recipients: { organizationIds: [scenario.issuerOrgId, ...organizationIds] },
      kind: event === 'opened' ? NOTIFICATION_KINDS.publicityOpened : NOTIFICATION_KINDS.publicityClosed,
      title: title.length > 200 ? title.slice(0, 200) : title,
      body:
        event === 'opened' ? `公示期至 ${publicity.endsAt.toISOString()}，期间可实名提出异议。` : undefined,
      objectType: 'Publicity',
      objectId: publicity.id,
    });
  }
}
