// Who reports under which source (发现渠道): the server refuses the others, the console offers only these.
import type { Role } from '../roles.ts';
import type { Source } from './states.ts';

/**
 * Sources each role may report under: people in the street report what they see where they are; the
 * command centre takes what comes in by phone and other channels. The first is the console's default
 * (a dispatcher mostly types in phoned-in complaints).
 */
export const SOURCES_BY_ROLE: Readonly<Record<Role, readonly Source[]>> = {
  dispatcher: ['public', 'dispatcher', 'video', 'department', 'media', 'inspection'],
  admin: ['public', 'dispatcher', 'video', 'department', 'media', 'inspection', 'supervisor', 'patrol'],
  supervisor: ['supervisor', 'inspection'],
  officer: ['patrol'],
  leader: [],
};

export const sourcesForRole = (role: Role): readonly Source[] => SOURCES_BY_ROLE[role];

export const mayReportAs = (role: Role, source: Source): boolean => SOURCES_BY_ROLE[role].includes(source);

/** Whether a role reports cases at all (the console's "new case" button). */
export const mayReport = (role: Role): boolean => SOURCES_BY_ROLE[role].length > 0;
