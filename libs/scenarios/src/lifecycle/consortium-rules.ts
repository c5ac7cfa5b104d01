import type { FieldError } from '@aihub/core';
import { CONSORTIUM_MAX_MEMBERS } from '../vocabularies';

export interface ConsortiumMemberInput {
  organizationId: string;
}

/** What the service knows about the organizations named as members. */
export interface KnownOrganization {
  id: string;
  type: string;
}

/**
 * A consortium is the lead (the applicant organization) plus up to four member organizations:
 * distinct, not the lead, each an existing enterprise. Errors name the offending entry
 * (`consortium[1].organizationId`).
 */
export function consortiumErrors(
  leadOrganizationId: string,
  members: readonly ConsortiumMemberInput[],
  known: ReadonlyMap<string, KnownOrganization>,
): FieldError[] {
  const errors: FieldError[] = [];
  if (members.length > CONSORTIUM_MAX_MEMBERS) {
    errors.push({
      field: 'consortium',
      message: `a consortium has at most ${CONSORTIUM_MAX_MEMBERS} members besides the lead`,
    });
  }
  const seen = new Set<string>();
  members.forEach((m, i) => {
    const field = `consortium[${i}].organizationId`;
    const id = m.organizationId.toLowerCase();
    if (id === leadOrganizationId.toLowerCase()) {
      errors.push({ field, message: 'the lead organization cannot also be a consortium member' });
    } else if (seen.has(id)) {
      errors.push({ field, message: 'each consortium member must be a different organization' });
    } else {
      const org = known.get(id);
      if (!org) errors.push({ field, message: 'no such organization' });
      else if (org.type !== 'enterprise')
        errors.push({ field, message: 'consortium members must be enterprises' });
    }
    seen.add(id);
  });
  return errors;
}
