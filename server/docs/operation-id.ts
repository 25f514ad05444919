/**
 * Every operation's `operationId`, from its method and path, so a generated client has readable,
 * stable method names (`listIncidents`, `dispatchIncident`) and a new route gets one without a list to
 * keep:
 *
 * - `GET /api/things` → `listThings`, `POST /api/things` → `createThing`;
 * - `GET /api/things/:id` → `getThing`, `PATCH` → `updateThing`, `PUT` → `replaceThing`, `DELETE` → `deleteThing`;
 * - a word after an id is a step when POSTed (`POST /api/incidents/:id/dispatch` → `dispatchIncident`),
 *   else what the thing has (`GET /api/incidents/:id/events` → `listIncidentEvents`).
 *
 * Where the rule reads badly (a singleton, a verb that is not a step), NAMED says it.
 */
const NAMED: Record<string, string> = {
  'GET /api/health/live': 'checkLiveness',
  'GET /api/health': 'checkReadiness',
  'GET /api/config': 'getClientConfig',
  'POST /api/auth/login': 'logIn',
  'POST /api/auth/refresh': 'refreshToken',
  'POST /api/auth/logout': 'logOut',
  'GET /api/auth/me': 'getCurrentUser',
  'PUT /api/auth/password': 'changeOwnPassword',
  'POST /api/users/:id/password': 'resetUserPassword',
  'DELETE /api/users/:id/sessions': 'endUserSessions',
  'GET /api/squads/board': 'getSquadBoard',
  'GET /api/officers/me': 'getOwnOfficer',
  'POST /api/officers/me/position': 'reportOwnPosition',
  'POST /api/officers/me/duty': 'setOwnDutyStatus',
  'GET /api/incidents/duplicates': 'findPossibleDuplicates',
  'GET /api/incidents/:id/recommendations': 'recommendOfficers',
  'POST /api/incidents/:id/evidence': 'uploadEvidence',
  'GET /api/indicators': 'getIndicators',
  'GET /api/indicators/export': 'exportIndicators',
  'GET /api/heatmap': 'getHeatmap',
  'GET /api/key-areas/board': 'getKeyAreaBoard',
  'GET /api/stats/trend': 'getTrendStats',
  'GET /api/stats/categories': 'getCategoryStats',
  'GET /api/tiles/:layer/:z/:x/:y.pbf': 'getVectorTile',
  'GET /api/geocode/search': 'searchPlaces',
  'GET /api/geocode/reverse': 'reverseGeocode',
  'POST /api/gis/grid/split': 'splitGridCell',
  'POST /api/gis/grid/merge': 'mergeGridCells',
  'GET /metrics': 'getMetrics',
};

const ITEM_VERBS: Record<string, string> = { GET: 'get', PATCH: 'update', PUT: 'replace', DELETE: 'delete' };
const COLLECTION_VERBS: Record<string, string> = { GET: 'list', POST: 'create', PATCH: 'update', PUT: 'replace', DELETE: 'delete' };

export function operationId(method: string, url: string): string {
  const named = NAMED[`${method} ${url}`];
  if (named) return named;
  const segments = url
    .replace(/^\/api\//, '')
    .split('/')
    .filter(Boolean);
  const isParam = (s: string) => s.startsWith(':');
  const last = segments.at(-1) ?? '';
  const nouns = segments.filter((s) => !isParam(s));
  if (isParam(last)) return (ITEM_VERBS[method] ?? method.toLowerCase()) + singular(pascal(nouns));
  if (segments.length >= 2 && isParam(segments.at(-2)!)) {
    const owner = singular(pascal(nouns.slice(0, -1)));
    if (method === 'POST') return camel(last) + owner;
    return (COLLECTION_VERBS[method] ?? method.toLowerCase()) + owner + pascal([last]);
  }
  const verb = COLLECTION_VERBS[method] ?? method.toLowerCase();
  return verb + (method === 'POST' ? singular(pascal(nouns)) : pascal(nouns));
}

const pascal = (words: string[]) =>
  words
    .flatMap((w) => w.split(/[-_.]/))
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
const camel = (word: string) => pascal([word]).replace(/^./, (c) => c.toLowerCase());
const singular = (word: string) => word.replace(/ies$/, 'y').replace(/([^s])s$/, '$1');
