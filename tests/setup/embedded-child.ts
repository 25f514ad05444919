// One embedded PostGIS in a process of its own, for one test file: started by the broker
// (tests/setup/embedded-template.ts) with the data directory as its argument. It prints its URL as
// one JSON line and serves until its stdin closes (the broker dropped it, or the broker itself died).
import { startEmbeddedPostgis } from '../../server/db/embedded.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: embedded-child.ts <data directory>');
  process.exit(2);
}
const server = await startEmbeddedPostgis(dir);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.stdin.resume();
process.stdin.on('close', () => {
  void server.stop().finally(() => process.exit(0));
});
