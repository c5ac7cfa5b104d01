import type { SandboxExtensionView, SandboxView } from './sandbox.dto';
import type { SandboxExtensionEntity } from './sandbox-extension.entity';
import type { SandboxEntity } from './sandbox.entity';

export const toSandboxView = (s: SandboxEntity): SandboxView => ({
  id: s.id,
  scenarioId: s.scenarioId,
  organizationId: s.organizationId,
  memberOrganizationIds: s.consortiumOrgIds,
  applicationId: s.applicationId,
  status: s.status,
  expiresAt: s.expiresAt.toISOString(),
  quota: { cpus: s.cpus, memoryMb: s.memoryMb, diskMb: s.diskMb, runTimeoutSeconds: s.runTimeoutSeconds },
  suspendedReason: s.suspendedReason,
  createdAt: s.createdAt.toISOString(),
});

export const toExtensionView = (e: SandboxExtensionEntity): SandboxExtensionView => ({
  id: e.id,
  sandboxId: e.sandboxId,
  days: e.days,
  reason: e.reason,
  status: e.status,
  decisionReason: e.decisionReason,
  decidedAt: e.decidedAt?.toISOString() ?? null,
  createdAt: e.createdAt.toISOString(),
});
