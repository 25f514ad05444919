// The category catalogue in force, from GET /api/categories (the server's versioned catalogue), for the
// pickers of the console, the leader's view and the officer's report. Kept in localStorage so a phone
// that reloads without network still offers the categories it last saw.
import type { CatalogueClass, CategoryCatalogue } from '#shared/categories/catalogue.ts';
import { api, errorText } from '../api.ts';

const STORAGE_KEY = 'zhihui.categories';

function remembered(): CategoryCatalogue | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const c = raw ? (JSON.parse(raw) as CategoryCatalogue) : null;
    return c && Array.isArray(c.classes) ? c : null;
  } catch {
    return null;
  }
}

class CategoryStore {
  /** the classes (大类) with their categories, in code order; empty until loaded */
  groups = $state<CatalogueClass[]>(remembered()?.classes ?? []);
  version = $state<string | null>(remembered()?.version ?? null);
  error = $state<string | null>(null);
  private pending: Promise<void> | null = null;
  private fetched = false;

  /** Loads the catalogue once per page (again after a failure); pickers call it when they appear. */
  load(): Promise<void> {
    if (this.fetched) return Promise.resolve();
    this.pending ??= api
      .categories()
      .then(
        (c) => {
          this.groups = c.classes;
          this.version = c.version;
          this.error = null;
          this.fetched = true;
          try {
            localStorage.setItem(STORAGE_KEY, JSON.stringify(c));
          } catch {
            /* storage unavailable: kept for this page only */
          }
        },
        (err: unknown) => {
          this.error = errorText(err);
        },
      )
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}

export const categoryCatalogue = new CategoryStore();
