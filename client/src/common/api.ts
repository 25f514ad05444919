// Every request the console and the officer phone make to the server, in one place.
import type { BuildingProgress } from '#shared/buildings/schemas.ts';
import type {
  ClientConfig,
  DistrictCollection,
  GridCellCollection,
  Health,
  IllegalBuildingCollection,
  KeyAreaCollection,
  OfficerCollection,
  OfficerMe,
  SquadCollection,
} from './api-types.ts';
import type { GisImportPreview, GisImportRecord, GisLayers, GisMapCollection, GisProblem, GisUploadOptions, GridProposal } from './api-types.ts';
import type {
  Candidate,
  CaseAction,
  Evidence,
  EventsPage,
  CaseView,
  IntakeRequest,
  IntakeResponse,
  LiveEvent,
  LoginResponse,
  StepRequest,
} from './cases/types.ts';
import { untrack } from 'svelte';
import type { UserAdminView } from '#shared/auth/user-schemas.ts';
import type { AuditEntry, OfficerAdmin, OfficerInput, OfficerPatch, SquadAdmin, SquadInput, SquadPatch, StreetResponsibility } from '#shared/roster/schemas.ts';
import type { Role } from '#shared/roles.ts';
import type { BasemapTheme } from '#shared/basemap-style.ts';
import type { InspectionTask } from '#shared/buildings/schemas.ts';
import type { InspectionResult } from '#shared/buildings/inspection-cycle.ts';
import type { StyleSpecification } from 'maplibre-gl';
import type { CatalogueVersionDetail, CatalogueVersionSummary, NewCatalogueVersion } from '#shared/categories/admin-schemas.ts';

export type { AuditEntry, OfficerAdmin, OfficerInput, OfficerPatch, SquadAdmin, SquadInput, SquadPatch, StreetResponsibility, UserAdminView };
export interface NewUserInput {
  login: string;
  password: string;
  displayName: string;
  role: Role;
  districtAdcode?: string | null;
  officerId?: number | null;
}
export type UserPatchInput = Partial<{ displayName: string; role: Role; districtAdcode: string | null; officerId: number | null; disabled: boolean }>;
import type { DuplicatesPreview, SquadBoard } from '#shared/cases/contract.ts';
import type { PlaceHit } from '#shared/geocode/contract.ts';
import type { CategoryCatalogue } from '#shared/categories/catalogue.ts';
import type { Escalations, Heatmap, IndicatorTable, KeyAreaBoard, StatsCategories, StatsTrend } from './leader-types.ts';

/** a query string of the defined values */
function query(q: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, v);
  return p.toString();
}
import { authHeaders, clearSession, endSession, session, setSession, tokenChangeSettled, trackTokenChange } from './session.svelte.ts';

const TIMEOUT_MS = 30_000;
const UPLOAD_TIMEOUT_MS = 120_000;

/** An HTTP or network failure, with a message a dispatcher can read. */
export class ApiError extends Error {
  constructor(
    readonly path: string,
    readonly status: number | null,
    readonly detail: string,
    /** the server's `message`, if it sent one */
    readonly serverMessage: string | null = null,
  ) {
    super(`请求失败 Request failed: ${path} — ${detail}`);
    this.name = 'ApiError';
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

/** The server's own words for a failed request (its `message`), or the error's message. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH';
  body?: unknown;
  /** sent as is: a multipart form, or a file (a Blob's type is its content-type) */
  form?: FormData | Blob;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** an authenticated call: a 401 means the session is over */
  auth?: boolean;
  timeoutMs?: number;
}

/**
 * Requests read the session's token, but never as a dependency: a request made inside an $effect
 * must not run it again (and re-create what it made, the map) whenever the token is renewed.
 */
function request<T>(path: string, opts: RequestOptions = {}, retried = false): Promise<T> {
  return untrack(() => send<T>(path, opts, retried));
}

async function send<T>(path: string, opts: RequestOptions, retried: boolean): Promise<T> {
  const ms = opts.timeoutMs ?? TIMEOUT_MS;
  const timeout = AbortSignal.timeout(ms);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(), ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const tokenAtStart = session.token;
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? (body ? 'POST' : 'GET'), headers, body, signal, credentials: 'same-origin' });
  } catch (err) {
    if (opts.signal?.aborted) throw err; // cancelled by us: not an error to show
    if (timeout.aborted) throw new ApiError(path, null, `超时 timed out after ${ms / 1000} s`);
    throw new ApiError(path, null, `网络错误 network error (${(err as Error).message})`);
  }
  if (!res.ok) {
    let detail = `HTTP ${res.status}`;
    let message: string | null = null;
    try {
      const b = (await res.json()) as { message?: unknown };
      if (typeof b.message === 'string') {
        message = b.message;
        detail += ` ${b.message}`;
      }
    } catch {
      /* body was not JSON */
    }
    if (res.status === 401 && opts.auth && tokenAtStart) {
      // a refresh or a password change in flight replaces the token: a 401 for the old one is not the end
      await tokenChangeSettled();
      if (opts.signal?.aborted) throw new DOMException('aborted', 'AbortError');
      // sent with a token replaced since: once more with the new one (the server refused it before doing anything)
      if (session.token && session.token !== tokenAtStart && !retried) return request<T>(path, opts, true);
      // the token expired or the session was ended on the server: back to the login form (once, for this session)
      if (session.token === tokenAtStart) endSession(message ?? undefined);
    }
    throw new ApiError(path, res.status, detail, message);
  }
  if (res.status === 204) return undefined as T;
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError(path, res.status, '响应不是 JSON response is not JSON');
  }
}

/**
 * A new token for the session (refresh, password change): stored at once, and requests that meet a
 * 401 meanwhile wait for it. A 401 here ends the session, unless `keepOn401` (a wrong current password).
 */
function renewToken(path: string, method: 'POST' | 'PUT', body: unknown, keepOn401 = false): Promise<LoginResponse> {
  const tokenAtStart = session.token;
  return trackTokenChange(
    (async () => {
      try {
        const r = await request<LoginResponse>(path, { method, body });
        // logged out (or in as someone else) meanwhile: the answer is not for this page any more
        if (session.token === tokenAtStart && tokenAtStart !== null) setSession(r);
        return r;
      } catch (err) {
        if (!keepOn401 && err instanceof ApiError && err.status === 401 && session.token === tokenAtStart && tokenAtStart !== null) {
          endSession(err.serverMessage ?? undefined);
        }
        throw err;
      }
    })(),
  );
}

const getJson = <T>(path: string, signal?: AbortSignal) => request<T>(path, { signal });
const authGet = <T>(path: string, signal?: AbortSignal) => request<T>(path, { signal, auth: true });
const authPost = <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  request<T>(path, { method: 'POST', body: body ?? {}, auth: true, headers });

/**
 * Log out: forgotten here at once (the live feed stops before the server closes it), then ended on
 * the server, which revokes the session and clears the cookie.
 */
export async function logOut(): Promise<void> {
  const token = session.token;
  clearSession();
  try {
    await api.logout(token);
  } catch {
    /* the session expires on its own; it is forgotten here anyway */
  }
}

export const api = {
  // ---- public ----------------------------------------------------------------------------------
  config: (signal?: AbortSignal) => getJson<ClientConfig>('/api/config', signal),
  health: (signal?: AbortSignal) => getJson<Health>('/api/health', signal),

  // ---- map layers: behind a login (unless the server runs with PUBLIC_MAP_LAYERS=true) -----------
  districts: (signal?: AbortSignal) => authGet<DistrictCollection>('/api/districts', signal),
  keyAreas: (signal?: AbortSignal) => authGet<KeyAreaCollection>('/api/key-areas', signal),
  squads: (signal?: AbortSignal) => authGet<SquadCollection>('/api/squads', signal),
  /** permission positions.read (admin, dispatcher, supervisor, leader) */
  officers: (signal?: AbortSignal) => authGet<OfficerCollection>('/api/officers', signal),
  /** Zhihui's own offline basemap (404 when the server has none built) */
  basemapStyle: (theme: BasemapTheme, signal?: AbortSignal) => authGet<StyleSpecification>(`/api/basemap/style?theme=${theme}`, signal),

  // ---- auth ------------------------------------------------------------------------------------
  login: (login: string, password: string) => request<LoginResponse>('/api/auth/login', { method: 'POST', body: { login, password } }),
  /** ends the session on the server too (use logOut(), which forgets it here first) */
  logout: (token: string | null) => request<void>('/api/auth/logout', { method: 'POST', body: {}, headers: token ? { authorization: `Bearer ${token}` } : {} }),
  me: () => authGet<Omit<LoginResponse['user'], 'displayName'>>('/api/auth/me'),
  /** a new token for this session (same shape as login); stored at once. 401: the session is over */
  refresh: () => renewToken('/api/auth/refresh', 'POST', {}),
  /** answers a new token (stored at once); every other session of the user ends */
  changePassword: (currentPassword: string, newPassword: string) => renewToken('/api/auth/password', 'PUT', { currentPassword, newPassword }, true),

  // ---- cases -----------------------------------------------------------------------------------
  /** the category catalogue in force, by class */
  categories: (signal?: AbortSignal) => authGet<CategoryCatalogue>('/api/categories', signal),
  openIncidents: (limit = 500, signal?: AbortSignal) => authGet<CaseView[]>(`/api/incidents?open=true&limit=${limit}`, signal),
  /** every open case you may see, paged by id (a city can have thousands open) */
  allOpenCases: async (signal?: AbortSignal): Promise<CaseView[]> => {
    const PAGE = 1000;
    const all: CaseView[] = [];
    for (let after = 0; ;) {
      const page = await authGet<CaseView[]>(`/api/incidents?open=true&limit=${PAGE}&afterId=${after}`, signal);
      all.push(...page);
      if (page.length < PAGE) return all;
      after = page[page.length - 1]!.id;
    }
  },
  incident: (id: number, signal?: AbortSignal) => authGet<CaseView>(`/api/incidents/${id}`, signal),
  incidentEvents: (id: number, signal?: AbortSignal) => authGet<LiveEvent[]>(`/api/incidents/${id}/events`, signal),
  recommendations: (id: number, limit = 10, signal?: AbortSignal) => authGet<Candidate[]>(`/api/incidents/${id}/recommendations?limit=${limit}`, signal),
  createIncident: (body: IntakeRequest, idempotencyKey: string) => authPost<IntakeResponse>('/api/incidents', body, { 'idempotency-key': idempotencyKey }),
  step: (id: number, action: CaseAction, body: StepRequest = {}, idempotencyKey?: string) =>
    authPost<CaseView>(`/api/incidents/${id}/${action}`, body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined),
  uploadEvidence: (id: number, files: File[]) => {
    const form = new FormData();
    for (const f of files) form.append('file', f, f.name || 'photo.jpg');
    return request<Evidence[]>(`/api/incidents/${id}/evidence`, { method: 'POST', form, auth: true, timeoutMs: UPLOAD_TIMEOUT_MS });
  },
  evidenceUrl: (id: number) => `/api/evidence/${id}`,

  duplicatesPreview: (q: { lon: number; lat: number; crs: 'wgs84' | 'gcj02' | 'bd09'; categoryCode?: string }, signal?: AbortSignal) => {
    const params = new URLSearchParams({ lon: String(q.lon), lat: String(q.lat), crs: q.crs });
    if (q.categoryCode) params.set('categoryCode', q.categoryCode);
    return authGet<DuplicatesPreview>(`/api/incidents/duplicates?${params}`, signal);
  },
  /** places by name: roads, intersections, grid codes, key areas …, nearest the given point first among equals */
  geocodeSearch: (q: { q: string; lon?: number; lat?: number; limit?: number }, signal?: AbortSignal) =>
    authGet<{ hits: PlaceHit[] }>(
      `/api/geocode/search?${query({ q: q.q, lon: q.lon?.toFixed(6), lat: q.lat?.toFixed(6), limit: q.limit?.toString() })}`,
      signal,
    ),
  // ---- leader ----------------------------------------------------------------------------------
  heatmap: (q: { from: string; to: string; category?: string; source?: string }) => authGet<Heatmap>(`/api/heatmap?${query(q)}`),
  keyAreaBoard: (q: { from: string; to: string }) => authGet<KeyAreaBoard>(`/api/key-areas/board?${query(q)}`),
  escalations: () => authGet<Escalations>('/api/escalations'),
  indicators: (q: { from: string; to: string; by: 'district' | 'squad' }) => authGet<IndicatorTable>(`/api/indicators?${query(q)}`),
  indicatorsExportUrl: (q: { from: string; to: string; by: 'district' | 'squad'; format: 'csv' | 'xlsx' }) => `/api/indicators/export?${query(q)}`,
  trend: (q: { from: string; to: string }) => authGet<StatsTrend>(`/api/stats/trend?${query(q)}`),
  categoryCounts: (q: { from: string; to: string }) => authGet<StatsCategories>(`/api/stats/categories?${query(q)}`),

  squadBoard: (signal?: AbortSignal) => authGet<SquadBoard>('/api/squads/board', signal),

  // ---- live ------------------------------------------------------------------------------------
  eventsAfter: (after: number, limit = 1000, signal?: AbortSignal) => authGet<EventsPage>(`/api/events?after=${after}&limit=${limit}`, signal),

  // ---- officer phone ---------------------------------------------------------------------------
  /** the logged-in officer's own record (role officer) */
  officerMe: (signal?: AbortSignal) => authGet<OfficerMe>('/api/officers/me', signal),
  postPosition: (fix: { lon: number; lat: number; accuracy?: number }) => authPost<{ accepted: true }>('/api/officers/me/position', fix),
  setDuty: (status: 'available' | 'off_duty') => authPost<{ dutyStatus: string }>('/api/officers/me/duty', { status }),
};

// ---- 底图数据导入 GIS imports (administrators: permission gis.manage) ----------------------------------
/** Reading, checking and committing a city's whole grid takes a while: as long as an upload may. */
const GIS_TIMEOUT_MS = UPLOAD_TIMEOUT_MS;

export const gisApi = {
  /** the layers a city imports, their fields and the names each is proposed from */
  layers: (signal?: AbortSignal) => authGet<GisLayers>('/api/gis/layers', signal),
  /** upload a layer as the one multipart part "file"; the options go in the query string. 201: the preview */
  upload: (file: File, o: GisUploadOptions) => {
    const form = new FormData();
    form.append('file', file, file.name || 'upload');
    const q = query({
      layer: o.layer,
      crs: o.crs?.trim() || undefined,
      coords: o.coords,
      encoding: o.encoding,
      mapping: o.mapping ? JSON.stringify(o.mapping) : undefined,
      repair: o.repair ? 'true' : undefined,
      scope: o.scope,
      retire: o.retire,
    });
    return request<GisImportPreview>(`/api/gis/imports?${q}`, { method: 'POST', form, auth: true, timeoutMs: GIS_TIMEOUT_MS });
  },
  /** the latest 100, newest first */
  imports: (signal?: AbortSignal) => authGet<GisImportRecord[]>('/api/gis/imports', signal),
  preview: (id: number, signal?: AbortSignal) => authGet<GisImportPreview>(`/api/gis/imports/${id}`, signal),
  problems: (id: number, offset: number, limit: number, signal?: AbortSignal) =>
    authGet<GisProblem[]>(`/api/gis/imports/${id}/problems?offset=${offset}&limit=${limit}`, signal),
  /** a polygon layer's features meeting a bbox (minLon,minLat,maxLon,maxLat), for the map editor */
  illegalBuildings: (bbox: string, signal?: AbortSignal) => authGet<IllegalBuildingCollection>(`/api/illegal-buildings?${query({ bbox })}`, signal),
  /** the grid cells in force meeting a bbox, for the map editor */
  gridCells: (bbox: string, signal?: AbortSignal) => authGet<GridCellCollection>(`/api/grid-cells?${query({ bbox })}`, signal),
  /** 分割: the cell cut by a line, as two cells with proposed codes (nothing is written) */
  gridSplit: (code: string, line: { type: 'LineString'; coordinates: number[][] }) => authPost<GridProposal>('/api/gis/grid/split', { code, line }),
  /** 合并: touching cells of one community as one cell with a proposed code (nothing is written) */
  gridMerge: (codes: string[]) => authPost<GridProposal>('/api/gis/grid/merge', { codes }),
  map: (id: number, signal?: AbortSignal) => request<GisMapCollection>(`/api/gis/imports/${id}/map`, { signal, auth: true, timeoutMs: GIS_TIMEOUT_MS }),
  /** an action of IMPORT_STEPS (commit, discard) */
  step: (id: number, action: string) =>
    request<GisImportPreview>(`/api/gis/imports/${id}/${action}`, { method: 'POST', body: {}, auth: true, timeoutMs: GIS_TIMEOUT_MS }),
};

// ---- 节假日安排 the holiday calendar (administrators: permission calendar.manage) -----------------------
/** One year's schedule as stored: days YYYY-MM-DD (China), in order. */
export interface HolidayYear {
  year: number;
  /** days off, weekend days inside a holiday run included */
  holidays: string[];
  /** make-up working days (调休上班): Saturdays or Sundays */
  workdays: string[];
  source: string | null;
  updatedAt: string;
  /** null: stored by the migration */
  updatedBy: number | null;
  updatedByLogin: string | null;
}

export interface HolidayOverview {
  /** today in China */
  today: string;
  years: HolidayYear[];
  /** this year and next year, where not stored */
  missingYears: number[];
  warning: string | null;
}

export const holidayApi = {
  overview: (signal?: AbortSignal) => authGet<HolidayOverview>('/api/admin/holidays', signal),
  /** replaces the year's days; 400 says what to fix */
  saveYear: (year: number, days: { holidays: string[]; workdays: string[]; source?: string | null }) =>
    request<HolidayYear>(`/api/admin/holidays/${year}`, { method: 'PUT', body: days, auth: true }),
};

// ---- 控违拆违 illegal-building progress against the year's targets (leaders) -------------------------
export const buildingProgressApi = {
  progress: (q: { year: number; by: 'district' | 'street' | 'squad' | 'month'; district?: string }, signal?: AbortSignal) =>
    authGet<BuildingProgress>(`/api/buildings/progress?${query({ ...q, year: String(q.year) })}`, signal),
};

// ---- 系统管理 administration: users, squads, officers, the change log (administrators) ----------------
const authSend = <T>(method: 'POST' | 'PATCH', path: string, body: unknown) => request<T>(path, { method, body, auth: true });

export const adminApi = {
  users: (signal?: AbortSignal) => authGet<UserAdminView[]>('/api/users', signal),
  createUser: (u: NewUserInput) => authSend<UserAdminView>('POST', '/api/users', u),
  updateUser: (id: number, patch: UserPatchInput) => authSend<UserAdminView>('PATCH', `/api/users/${id}`, patch),
  resetPassword: (id: number, password: string) => authSend<UserAdminView>('POST', `/api/users/${id}/password`, { password }),
  squads: (signal?: AbortSignal) => authGet<SquadAdmin[]>('/api/admin/squads', signal),
  createSquad: (s: SquadInput) => authSend<SquadAdmin>('POST', '/api/admin/squads', s),
  updateSquad: (id: number, patch: SquadPatch) => authSend<SquadAdmin>('PATCH', `/api/admin/squads/${id}`, patch),
  streets: (district: string, signal?: AbortSignal) => authGet<StreetResponsibility[]>(`/api/admin/streets?${query({ district })}`, signal),
  assignStreets: (squadId: number, streets: string[]) =>
    request<SquadAdmin>(`/api/admin/squads/${squadId}/streets`, { method: 'PUT', body: { streets }, auth: true }),
  officers: (signal?: AbortSignal) => authGet<OfficerAdmin[]>('/api/admin/officers', signal),
  createOfficer: (o: OfficerInput) => authSend<OfficerAdmin>('POST', '/api/admin/officers', o),
  updateOfficer: (id: number, patch: OfficerPatch) => authSend<OfficerAdmin>('PATCH', `/api/admin/officers/${id}`, patch),
  audit: (q: { before?: number; action?: string }, signal?: AbortSignal) =>
    authGet<AuditEntry[]>(`/api/admin/audit?${query({ limit: '100', before: q.before?.toString(), action: q.action })}`, signal),
};

// ---- 案件分类目录 the category catalogue as versions (administrators: permission categories.manage) ------
export type { CatalogueVersionDetail, CatalogueVersionSummary, NewCatalogueVersion };

export const categoryAdminApi = {
  versions: (signal?: AbortSignal) => authGet<CatalogueVersionSummary[]>('/api/admin/categories/versions', signal),
  version: (version: string, signal?: AbortSignal) => authGet<CatalogueVersionDetail>(`/api/admin/categories/versions/${encodeURIComponent(version)}`, signal),
  /** a new version (not current yet); 400 says what to fix, and nothing is stored */
  createJson: (v: NewCatalogueVersion) => authSend<CatalogueVersionDetail>('POST', '/api/admin/categories/versions', v),
  /** a new version from a CSV file (header row 大类代码,大类名称,小类代码,小类名称,处置时限,时限类型,是否执法) */
  createCsv: (meta: { version: string; name: string; effectiveFrom: string }, csv: Blob | string) =>
    request<CatalogueVersionDetail>(`/api/admin/categories/versions?${query(meta)}`, {
      method: 'POST',
      form: new Blob([csv], { type: 'text/csv' }),
      auth: true,
      timeoutMs: UPLOAD_TIMEOUT_MS,
    }),
  /** makes it current: new cases use it, cases already created keep theirs */
  activate: (version: string) => authPost<CatalogueVersionSummary>(`/api/admin/categories/versions/${encodeURIComponent(version)}/activate`),
};

// ---- 违法建设治理 illegal buildings: the register, its steps, field cases ------------------------------
export type { BuildingDetail, BuildingList, BuildingStepBody, BuildingSummary } from '#shared/buildings/schemas.ts';
import type { BuildingDetail, BuildingList, BuildingStepBody } from '#shared/buildings/schemas.ts';

export const buildingApi = {
  list: (q: { stage?: string; kind?: string; overdue?: boolean; district?: string; q?: string; limit?: number }, signal?: AbortSignal) =>
    authGet<BuildingList>(
      `/api/buildings?${query({ stage: q.stage, kind: q.kind, overdue: q.overdue === undefined ? undefined : String(q.overdue), district: q.district, q: q.q, limit: q.limit?.toString() })}`,
      signal,
    ),
  get: (id: number, signal?: AbortSignal) => authGet<BuildingDetail>(`/api/buildings/${id}`, signal),
  step: (id: number, body: BuildingStepBody) => authPost<BuildingDetail>(`/api/buildings/${id}/steps`, body),
  /** the field step (核查 / 拆除 / 巡查) as a case, registered and waiting for dispatch */
  fieldCase: (id: number, task: 'verify' | 'demolish' | 'inspect') => authPost<CaseView>(`/api/buildings/${id}/field-case`, { task }),
  evidenceUrl: (id: number, evidenceId: number) => `/api/buildings/${id}/evidence/${evidenceId}`,
};

// ---- 存量违建巡查 patrol of stock buildings: the officer's tasks, building photos, the record ------
export type { InspectionTask };
export type InspectionResultName = InspectionResult;

export const inspectionApi = {
  mine: (signal?: AbortSignal) => authGet<InspectionTask[]>('/api/buildings/inspections/mine', signal),
  uploadPhotos: (buildingId: number, files: File[]) => {
    const form = new FormData();
    for (const f of files) form.append('file', f, f.name || 'photo.jpg');
    return request<Evidence[]>(`/api/buildings/${buildingId}/evidence`, { method: 'POST', form, auth: true, timeoutMs: UPLOAD_TIMEOUT_MS });
  },
  record: (id: number, body: { result: InspectionResult; evidenceIds: number[]; note?: string; lon?: number; lat?: number }) =>
    authPost<InspectionTask & { state: 'done'; result: InspectionResult; incidentId: number | null }>(`/api/buildings/inspections/${id}`, body),
};
