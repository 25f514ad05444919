// Which recommended officer the console sends with one key (Enter) or one click.
import type { Candidate } from './contract.ts';

/**
 * The first candidate, in the server's ranking, who may be sent alone: for a case whose category
 * involves enforcement, a certified officer (`certified` = isCertified in shared/workforce.ts, the
 * rule the dispatch step checks, so this choice is never refused with 422); otherwise the first.
 */
export function firstSendable<C extends Pick<Candidate, 'certified'>>(candidates: readonly C[], enforcement: boolean): C | null {
  return candidates.find((c) => !enforcement || c.certified) ?? null;
}
