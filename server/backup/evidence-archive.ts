import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EvidenceStore } from '../evidence/storage.ts';
import { BackupError } from './manifest.ts';

export interface EvidenceRow {
  sha256: string;
  bytes: number;
}

/**
 * Archives exactly the photos the database snapshot refers to. A photo's file is written before its
 * row commits and never changes (content-addressed), so archiving after the snapshot finds every one.
 */
export async function archiveEvidence(evidenceDir: string, rows: EvidenceRow[], tarFile: string): Promise<{ files: number; bytes: number; missing: string[] }> {
  const store = new EvidenceStore(evidenceDir);
  const present: string[] = [];
  const missing: string[] = [];
  let bytes = 0;
  for (const r of rows) {
    if (fs.existsSync(store.pathOf(r.sha256))) {
      present.push(path.relative(evidenceDir, store.pathOf(r.sha256)));
      bytes += r.bytes;
    } else {
      missing.push(r.sha256);
    }
  }
  // GNU tar: one file to copy, byte-exact, restorable by hand with `tar -xf` if need be
  await tar(
    ['-cf', tarFile, '-C', fs.existsSync(evidenceDir) ? evidenceDir : '/', '--null', '--verbatim-files-from', '--files-from=-'],
    present.map((p) => `${p}\0`).join(''),
  );
  return { files: present.length, bytes, missing };
}

/** Files already there are kept: the same name is the same bytes. */
export async function extractEvidence(tarFile: string, evidenceDir: string): Promise<void> {
  fs.mkdirSync(evidenceDir, { recursive: true });
  await tar(['-xf', tarFile, '-C', evidenceDir, '--skip-old-files'], '');
}

/** Photos the restored database refers to that are missing from `evidenceDir` or whose bytes differ. */
export async function evidenceProblems(evidenceDir: string, rows: EvidenceRow[], knownMissing: string[]): Promise<string[]> {
  const store = new EvidenceStore(evidenceDir);
  const excused = new Set(knownMissing);
  const problems: string[] = [];
  for (const r of rows) {
    if (excused.has(r.sha256)) continue;
    const file = store.pathOf(r.sha256);
    if (!fs.existsSync(file)) {
      problems.push(`${r.sha256} missing`);
      continue;
    }
    const hash = crypto.createHash('sha256');
    for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== r.sha256) problems.push(`${r.sha256} has other bytes`);
  }
  return problems;
}

function tar(args: string[], stdin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // nothing to say on stdin (extracting): tar gets none, so no write can race its exit
    const child = spawn('tar', args, { stdio: [stdin === '' ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (err) => reject(new BackupError(`tar did not start (${err.message}): install GNU tar`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new BackupError(`tar failed (exit ${code}): ${stderr.trim()}`))));
    if (child.stdin) {
      // tar can exit before it has read its whole list (it failed, or needed no more): the write then
      // fails with EPIPE, which must not crash the process; the exit code says what happened
      child.stdin.on('error', () => {});
      child.stdin.end(stdin);
    }
  });
}
