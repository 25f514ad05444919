import type pg from 'pg';
import { seesDistrict } from '#shared/auth/permissions.ts';
import type { AuthUser } from '../auth/user.ts';
import { withTransaction } from '../db/transaction.ts';
import type { EventBus } from '../events/bus.ts';
import { appendEvents } from '../events/repository.ts';
import { Problem } from '../http/problem.ts';
import type { CaseService } from '../cases/service.ts';
import type { CaseView } from '#shared/cases/contract.ts';
import type { EvidenceRecord, EvidenceRepository } from './repository.ts';
import { type EvidenceStore, type ImageMime, imageProblem, sniffImage } from './storage.ts';

/** A file as uploaded: its bytes and the name to quote in messages. */
export interface UploadedFile {
  bytes: Buffer;
  name: string;
}

/** Officers whose dispatch on a case is live may add to it. */
const WORKING = ['pending', 'accepted'];
/** Before dispatch, the officer who reported a problem may still add its photos (上报问题 with photos). */
const REPORTER_MAY_ADD = ['reported', 'registered'];

/**
 * Photos on cases (取证): who may attach them, checking that each is really a photo, storing the file
 * once (content-addressed) and recording it on the case with its event in one transaction.
 */
export class EvidenceService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly repo: EvidenceRepository,
    private readonly store: EvidenceStore,
    private readonly cases: CaseService,
    private readonly bus: EventBus,
  ) {}

  /**
   * Attaches the photos `read` returns to case `incidentId`. `read` is called only once `user` may
   * attach to the case, so an upload nobody may make is not read. Every file is checked before any is
   * stored: a bad file in the batch stores nothing.
   */
  async attach(user: AuthUser, incidentId: number, read: () => Promise<UploadedFile[]>): Promise<EvidenceRecord[]> {
    const inc = await this.cases.view(user, incidentId);
    if (!inc) throw new Problem(404, `no case ${incidentId} that you can see`);
    if (!(await this.mayAttach(user, inc))) {
      throw new Problem(403, 'only an officer working this case (or who reported it, until it is dispatched) may attach photos to it');
    }
    const stored = await this.checkAndStore(await read());
    const { saved, events } = await withTransaction(this.pool, async (db) => {
      const saved: EvidenceRecord[] = [];
      for (const f of stored) saved.push(await this.repo.insert(db, inc.id, f, user.id));
      const events = await appendEvents(db, [
        {
          incidentId: inc.id,
          type: 'incident.evidence_added',
          actorUserId: user.id,
          districtAdcode: inc.districtAdcode,
          officerIds: user.officerId ? [user.officerId] : [],
          payload: { code: inc.code, evidence: saved },
        },
      ]);
      return { saved, events };
    });
    this.bus.publish(events);
    return saved;
  }

  /**
   * Photos of an illegal building (违法建设), recorded at its current stage with no case: what a patrol
   * inspection or a stage step shows. An officer attaches to a building their squad patrols or a case
   * about it sends them to; others within their district.
   */
  async attachToBuilding(user: AuthUser, buildingId: number, read: () => Promise<UploadedFile[]>): Promise<EvidenceRecord[]> {
    const b = await this.visibleBuilding(user, buildingId);
    const stored = await this.checkAndStore(await read());
    return withTransaction(this.pool, async (db) => {
      const saved: EvidenceRecord[] = [];
      for (const f of stored) saved.push(await this.repo.insertForBuilding(db, b.id, b.stage, f, user.id));
      return saved;
    });
  }

  /** A photo of a building, to those who may see the building (the rule of attachToBuilding). */
  async buildingPhoto(user: AuthUser, buildingId: number, id: number): Promise<{ mime: string; file: NodeJS.ReadableStream }> {
    await this.visibleBuilding(user, buildingId);
    const row = await this.repo.findOfBuilding(buildingId, id);
    if (!row) throw new Problem(404, `no photo ${id} of building ${buildingId}`);
    return { mime: row.mime, file: this.store.read(row.sha256) };
  }

  private async visibleBuilding(user: AuthUser, buildingId: number): Promise<{ id: number; stage: string }> {
    const b = await this.repo.building(buildingId);
    const sees =
      b &&
      (user.role === 'officer' ? user.officerId !== null && (await this.repo.officerOnBuilding(b.id, user.officerId)) : seesDistrict(user, b.districtAdcode));
    if (!b || !sees) throw new Problem(404, `no building ${buildingId} that you work on or can see`);
    return b;
  }

  /**
   * Every file checked before any is stored (a bad file in the batch stores nothing): sniffed from the
   * bytes (the declared type is not trusted), then decoded to the last pixel; then stored by content.
   */
  private async checkAndStore(parts: UploadedFile[]): Promise<{ sha256: string; mime: ImageMime; bytes: number }[]> {
    if (parts.length === 0) throw new Problem(400, 'no "file" part in the upload');
    const files: { bytes: Buffer; mime: ImageMime }[] = [];
    for (const { bytes, name } of parts) {
      const mime = sniffImage(bytes.subarray(0, 16));
      if (!mime) throw new Problem(415, `${name} is not a JPEG, PNG or WebP photo`);
      const problem = await imageProblem(bytes, mime);
      if (problem) throw new Problem(422, `${name} ${problem}`);
      files.push({ bytes, mime });
    }
    return Promise.all(files.map(async (f) => ({ sha256: await this.store.put(f.bytes), mime: f.mime, bytes: f.bytes.length })));
  }

  /** A photo and its type, to those who may see its case; a photo of a case you cannot see does not exist for you. */
  async photo(user: AuthUser, id: number): Promise<{ mime: string; file: NodeJS.ReadableStream }> {
    const row = await this.repo.find(id);
    if (!row || !(await this.cases.view(user, row.incidentId))) throw new Problem(404, `no photo ${id} that you can see`);
    return { mime: row.mime, file: this.store.read(row.sha256) };
  }

  /** Anyone but an officer who may upload at all (the permission) may attach; an officer only to their own cases. */
  private async mayAttach(user: AuthUser, inc: CaseView): Promise<boolean> {
    if (user.role !== 'officer') return true;
    if (inc.officers.some((o) => o.officerId === user.officerId && WORKING.includes(o.dispatchState))) return true;
    return REPORTER_MAY_ADD.includes(inc.state) && (await this.repo.reportedBy(inc.id, user.id));
  }
}
