// npm run basemap -- <extract.osm.pbf | roads.geojson | features.geojsonseq> [--attribution "…"] [--note-zh "…" --note-en "…"] [--font file]
// Builds $DATA_DIR/basemap/basemap.pmtiles and its glyphs; a running server serves the new archive
// from its next request.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { buildBasemap } from './build.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    attribution: { type: 'string' },
    'note-zh': { type: 'string' },
    'note-en': { type: 'string' },
    font: { type: 'string' },
  },
});
const input = positionals[0];
if (!input || positionals.length > 1) {
  console.error(
    'usage: npm run basemap -- <extract.osm.pbf | roads.geojson | features.geojsonseq> [--attribution "…"] [--note-zh "…" --note-en "…"] [--font file]',
  );
  process.exit(2);
}
const { dataDir } = loadConfig();
try {
  const note = values['note-zh'] || values['note-en'] ? { zh: values['note-zh'] ?? '', en: values['note-en'] ?? '' } : null;
  const r = await buildBasemap(input, dataDir, { attribution: values.attribution, note, font: values.font });
  console.log(
    `[basemap] ${r.archive}: ${r.tiles} tiles, ${(r.bytes / 1024).toFixed(0)} KiB, features ${JSON.stringify(r.features)}; ` +
      `${r.glyphRanges} glyph ranges of "${r.fontstack}" (${(r.glyphBytes / 1024).toFixed(0)} KiB) in ${(r.ms / 1000).toFixed(1)} s`,
  );
} catch (err) {
  console.error(`[basemap] ${(err as Error).message}`);
  process.exit(1);
}
