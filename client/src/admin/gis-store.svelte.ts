// The import screen's state: the upload form, the preview in view (its problems a page at a time and
// its map), the recent imports, and what is being done now. Every failure keeps the server's own
// message, which says what to fix.
import { ApiError, errorText, gisApi } from '../common/api.ts';
import type {
  GisImportPreview,
  GisImportRecord,
  GisLayer,
  GisLayers,
  GisMapCollection,
  GisProblem,
  GisProblemProps,
  GisRowProps,
  GisUploadOptions,
} from '../common/api-types.ts';
import { IMPORT_STEPS, type ImportAction } from '#shared/gis/import-workflow.ts';
import { GIS_LAYERS } from '#shared/gis/layers.ts';
import type { Feature, FeatureCollection, Geometry } from 'geojson';

/** problems per page (GET /api/gis/imports/:id/problems) */
export const PAGE = 200;

export interface UploadForm {
  layer: GisLayer;
  crs: string;
  coords: NonNullable<GisUploadOptions['coords']>;
  encoding: '' | 'gbk' | 'utf-8';
  repair: boolean;
}

export type Busy = 'upload' | 'recheck' | 'open' | 'page' | ImportAction | null;

const CRS_PATTERN = /^(?:EPSG:)?[0-9]{4,5}$/i;

/** The server's words for a failure: its message verbatim when it sent one. */
function failure(err: unknown): string {
  if (err instanceof ApiError) return err.serverMessage ?? err.detail;
  return errorText(err);
}

type MapFeature = Feature<Geometry, GisRowProps | GisProblemProps>;
const isProblem = (f: MapFeature): f is Feature<Geometry, GisProblemProps> => 'problem' in (f.properties ?? {});

class GisStore {
  layers = $state.raw<GisLayers | null>(null);
  form = $state<UploadForm>({ layer: 'grid_cells', crs: '', coords: 'wgs84', encoding: '', repair: false });
  /** the file chosen in the form */
  file = $state.raw<File | null>(null);
  /** the file the preview in view was read from, and the options it was read with (重新检查 sends them again) */
  source = $state.raw<{ file: File; options: GisUploadOptions } | null>(null);
  preview = $state.raw<GisImportPreview | null>(null);
  /** the mapping as edited (target → file field; '' = not mapped) */
  mapping = $state<Record<string, string>>({});
  problems = $state.raw<GisProblem[]>([]);
  offset = $state(0);
  map = $state.raw<GisMapCollection | null>(null);
  mapError = $state<string | null>(null);
  imports = $state.raw<GisImportRecord[]>([]);
  busy = $state<Busy>(null);
  error = $state<string | null>(null);
  /** the problem row clicked last (the map flies to it) */
  selected = $state.raw<GisProblem | null>(null);
  /** the step waiting for its confirmation */
  confirming = $state<ImportAction | null>(null);
  /** uploads answered (a preview or a refusal), for browser tests to wait on */
  answered = $state(0);

  readonly problemTotal = $derived(this.preview?.problemCounts.reduce((s, c) => s + c.count, 0) ?? 0);
  readonly mappingEdited = $derived.by(() => {
    const was = this.preview?.import.reading.mapping ?? {};
    const now = cleanMapping(this.mapping);
    const keys = new Set([...Object.keys(was), ...Object.keys(now)]);
    return [...keys].some((k) => was[k] !== now[k]);
  });
  /** the steps a preview in its state may take, in IMPORT_STEPS's order */
  readonly steps = $derived(
    this.preview ? (Object.keys(IMPORT_STEPS) as ImportAction[]).filter((a) => IMPORT_STEPS[a].from.includes(this.preview!.import.state)) : [],
  );

  /** the map's features per problem (row, kind and message), and each row's own geometry */
  private readonly index = $derived.by(() => {
    const problems = new Map<string, MapFeature[]>();
    const rows = new Map<number, MapFeature>();
    for (const f of (this.map?.features ?? []) as MapFeature[]) {
      if (!f.geometry) continue;
      if (isProblem(f)) {
        for (const key of [`${f.properties.n}|${f.properties.problem}|${f.properties.message}`, `${f.properties.n}|${f.properties.problem}`]) {
          const list = problems.get(key) ?? [];
          list.push(f);
          problems.set(key, list);
        }
      } else rows.set((f.properties as GisRowProps).n, f);
    }
    return { problems, rows };
  });

  /** Where a problem is on the map: its own geometry, else its row's; [] when it has none. */
  featuresOf(p: GisProblem): MapFeature[] {
    const { problems, rows } = this.index;
    const own = problems.get(`${p.n}|${p.kind}|${p.message}`) ?? (p.n !== null ? problems.get(`${p.n}|${p.kind}`) : undefined);
    if (own?.length) return own;
    const row = p.n !== null ? rows.get(p.n) : undefined;
    return row ? [row] : [];
  }

  async loadLayers(): Promise<void> {
    try {
      this.layers = await gisApi.layers();
    } catch (err) {
      this.error = failure(err);
    }
  }

  async loadImports(): Promise<void> {
    try {
      this.imports = await gisApi.imports();
    } catch (err) {
      this.error = failure(err);
    }
  }

  /** Why the form can't be sent yet, or null. */
  formProblem(): string | null {
    if (!this.file) return '请选择文件 choose the file to import (.zip with .shp/.shx/.dbf/.prj, .geojson, .json or .csv)';
    const crs = this.form.crs.trim();
    if (crs && !CRS_PATTERN.test(crs)) return `坐标系请填写 EPSG 代码 give the CRS as an EPSG code, e.g. 4527 or EPSG:4527 (not "${crs}")`;
    return null;
  }

  private options(mapping?: Record<string, string>): GisUploadOptions {
    const f = this.form;
    return {
      layer: f.layer,
      crs: f.crs.trim() || undefined,
      coords: f.coords === 'wgs84' ? undefined : f.coords,
      encoding: f.encoding || undefined,
      repair: f.repair || undefined,
      mapping,
    };
  }

  /** 上传检查: read and check the chosen file, nothing changes yet. */
  async upload(): Promise<void> {
    const why = this.formProblem();
    if (why) {
      this.error = why;
      return;
    }
    await this.send(this.file!, this.options(), 'upload');
  }

  /** 重新检查: the same file again, with the mapping as edited (and the form's options as they are now). */
  async recheck(): Promise<void> {
    if (!this.source) return;
    await this.send(this.source.file, { ...this.options(cleanMapping(this.mapping)), layer: this.source.options.layer }, 'recheck');
  }

  private async send(file: File, options: GisUploadOptions, busy: Busy): Promise<void> {
    if (this.busy) return;
    this.busy = busy;
    this.error = null;
    const superseded = busy === 'recheck' && this.preview?.import.state === 'previewed' ? this.preview.import.id : null;
    try {
      const preview = await gisApi.upload(file, options);
      this.source = { file, options };
      this.show(preview);
      // the earlier preview of the same file is of no use any more: it is discarded, not left waiting
      if (superseded !== null) await gisApi.step(superseded, 'discard').catch(() => {});
    } catch (err) {
      this.error = failure(err);
    } finally {
      this.busy = null;
      this.answered++;
      void this.loadImports();
    }
  }

  /**
   * 检查 a map edit: the drawn features as a GeoJSON file of just those (scope=features), checked like any
   * import (a grid split or merge also names the codes it retires); an earlier preview of an edit still
   * waiting is discarded.
   */
  async checkEdit(layer: GisLayer, features: FeatureCollection, retire?: string[]): Promise<void> {
    const file = new File([JSON.stringify(features)], '地图编辑.geojson', { type: 'application/geo+json' });
    const options = { layer, scope: 'features' as const, retire: retire?.length ? retire.join(',') : undefined };
    await this.send(file, options, this.preview?.import.state === 'previewed' ? 'recheck' : 'upload');
  }

  /** An earlier import, from the list. */
  async open(id: number): Promise<void> {
    if (this.busy) return;
    this.busy = 'open';
    this.error = null;
    try {
      const preview = await gisApi.preview(id);
      this.source = null;
      this.show(preview);
    } catch (err) {
      this.error = failure(err);
    } finally {
      this.busy = null;
    }
  }

  private show(preview: GisImportPreview): void {
    this.preview = preview;
    // every target of the layer, '' where nothing is mapped (the selects' "not mapped")
    const was = preview.import.reading.mapping ?? {};
    const targets = (this.layers?.[preview.import.layer] ?? GIS_LAYERS[preview.import.layer])?.fields.map((f) => f.key) ?? [];
    this.mapping = { ...Object.fromEntries(targets.map((k) => [k, was[k] ?? ''])), ...was };
    this.problems = preview.problems;
    this.offset = 0;
    this.selected = null;
    this.confirming = null;
    this.map = null;
    this.mapError = null;
    void this.loadMap(preview.import.id);
  }

  private async loadMap(id: number): Promise<void> {
    try {
      const fc = await gisApi.map(id);
      if (this.preview?.import.id === id) this.map = fc;
    } catch (err) {
      if (this.preview?.import.id === id) this.mapError = failure(err);
    }
  }

  /** Another page of problems (PAGE at a time). */
  async page(offset: number): Promise<void> {
    const p = this.preview;
    if (!p || this.busy || offset < 0 || offset >= Math.max(this.problemTotal, 1)) return;
    this.busy = 'page';
    try {
      const rows = offset === 0 && p.problems.length > 0 ? p.problems : await gisApi.problems(p.import.id, offset, PAGE);
      if (this.preview === p) {
        this.problems = rows;
        this.offset = offset;
      }
    } catch (err) {
      this.error = failure(err);
    } finally {
      this.busy = null;
    }
  }

  /** Commit or discard, once confirmed. */
  async step(action: ImportAction): Promise<void> {
    const p = this.preview;
    if (!p || this.busy) return;
    this.busy = action;
    this.error = null;
    try {
      const done = await gisApi.step(p.import.id, action);
      // the map keeps what was staged: after a commit the server no longer holds those rows
      this.preview = done;
      this.problems = this.offset === 0 ? done.problems : this.problems;
      this.confirming = null;
    } catch (err) {
      this.error = failure(err);
    } finally {
      this.busy = null;
      void this.loadImports();
    }
  }

  /** Logged out or another user: nothing of the last one's stays on screen. */
  reset(): void {
    this.preview = null;
    this.source = null;
    this.problems = [];
    this.map = null;
    this.mapError = null;
    this.imports = [];
    this.layers = null;
    this.error = null;
    this.selected = null;
    this.confirming = null;
    this.file = null;
  }
}

/** The mapping to send: only targets given a field. */
function cleanMapping(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== ''));
}

export const gis = new GisStore();
