import type { AuditEntry } from '#shared/roster/schemas.ts';
import type { AuditQuery, AuditRepository } from './repository.ts';

/** The administrative change log as the administration screens read it. */
export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  list(q: AuditQuery): Promise<AuditEntry[]> {
    return this.repo.list(q);
  }
}
