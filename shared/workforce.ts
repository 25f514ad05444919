// Rules about people (执法队员, 协管员) that the server applies and the console shows.

/** Today's date in China (YYYY-MM-DD): certificates run to the end of their day, Beijing time. */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/**
 * Holds a valid enforcement certificate (执法证): a certified officer, not an auxiliary (协管员), whose
 * certificate has not expired. Only they may carry out enforcement (2021 national notice).
 * The one definition: the dispatch step's check, the recommendation's `certified` and the squad board
 * all call this (none writes it in SQL), so what the console offers the step accepts.
 */
export function isCertified(o: { kind: 'officer' | 'auxiliary'; certificateExpires: string | null }, today: string = chinaToday()): boolean {
  return o.kind === 'officer' && (o.certificateExpires === null || o.certificateExpires >= today);
}
