// The part of shapefile 0.6.6 we use; it ships no types.
declare module 'shapefile' {
  interface Source<T> {
    bbox: number[];
    read(): Promise<{ done: boolean; value: T }>;
    cancel(): Promise<void>;
  }
  export function openShp(path: string): Promise<Source<{ type: string; coordinates: unknown } | null>>;
}
