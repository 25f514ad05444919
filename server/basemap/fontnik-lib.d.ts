// fontnik (mapbox/fontnik, maintained on npm with prebuilt binaries) ships no types: the two calls used.
declare module 'fontnik' {
  export interface FontFace {
    family_name: string;
    style_name?: string;
    points: number[];
  }
  export function load(font: Buffer, callback: (err: Error | null, faces: FontFace[]) => void): void;
  export function range(opts: { font: Buffer; start: number; end: number }, callback: (err: Error | null, pbf: Buffer) => void): void;
}
