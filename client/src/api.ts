// Every request the console makes to the server, in one place.
import type {
  BBox,
  ClientConfig,
  DistrictCollection,
  GridCellCollection,
  Health,
  IllegalBuildingCollection,
  KeyAreaCollection,
  OfficerCollection,
  SquadCollection,
} from './api-types.ts';

const TIMEOUT_MS = 30_000;

/** An HTTP or network failure, with a message a dispatcher can read. */
export class ApiError extends Error {
  constructor(
    readonly path: string,
    readonly status: number | null,
    detail: string,
  ) {
    super(`请求失败 Request failed: ${path} — ${detail}`);
    this.name = 'ApiError';
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' }, signal: combined });
  } catch (err) {
    if (signal?.aborted) throw err; // cancelled by us: not an error to show
    if (timeout.aborted) throw new ApiError(path, null, `超时 timed out after ${TIMEOUT_MS / 1000} s`);
    throw new ApiError(path, null, `网络错误 network error (${(err as Error).message})`);
  }
  if (!res.ok) {
    let detail = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { message?: unknown };
      if (typeof body.message === 'string') detail += ` ${body.message}`;
    } catch {
      /* body was not JSON */
    }
    throw new ApiError(path, res.status, detail);
  }
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError(path, res.status, '响应不是 JSON response is not JSON');
  }
}

function bboxParam(bbox: BBox): string {
  return bbox.map((v) => v.toFixed(6)).join(',');
}

export const api = {
  config: (signal?: AbortSignal) => getJson<ClientConfig>('/api/config', signal),
  health: (signal?: AbortSignal) => getJson<Health>('/api/health', signal),
  districts: (signal?: AbortSignal) => getJson<DistrictCollection>('/api/districts', signal),
  keyAreas: (signal?: AbortSignal) => getJson<KeyAreaCollection>('/api/key-areas', signal),
  squads: (signal?: AbortSignal) => getJson<SquadCollection>('/api/squads', signal),
  officers: (signal?: AbortSignal) => getJson<OfficerCollection>('/api/officers', signal),
  gridCells: (bbox: BBox, limit: number, signal?: AbortSignal) =>
    getJson<GridCellCollection>(`/api/grid-cells?bbox=${bboxParam(bbox)}&limit=${limit}`, signal),
  illegalBuildings: (bbox: BBox, limit: number, signal?: AbortSignal) =>
    getJson<IllegalBuildingCollection>(`/api/illegal-buildings?bbox=${bboxParam(bbox)}&limit=${limit}`, signal),
};
