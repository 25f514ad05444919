// How the console's components reach the map: MapView provides it as Svelte context, and what sits
// inside it (the new-case form, case details) asks for the few things it needs. Outside the
// component tree (the case store) the map is handed over as the narrow CaseMapSink.
import { createContext } from 'svelte';
import type { CaseView, PositionUpdate } from '../../common/cases/types.ts';

/** What the console's components may ask of the map. */
export interface ConsoleMapApi {
  /** ring a case and bring it into the free part of the map */
  showCase(inc: CaseView | null): void;
  /** the next map click places a point instead of selecting */
  startPick(onPick: (lngLat: [number, number]) => void): void;
  stopPick(): void;
  /** the new case's point, drawn while the form is open */
  setDraftPoint(lngLat: [number, number] | null): void;
  /** bring a found place into the free part of the map, close enough to see its streets */
  flyToPlace(lngLat: [number, number]): void;
  /** the centre of the map's view: searches rank places near it first */
  center(): [number, number];
}

/** What the case store feeds the map from the live feed. */
export interface CaseMapSink {
  showCase(inc: CaseView | null): void;
  setOfficerDuty(officerId: number, dutyStatus: string): void;
  updateOfficerPositions(batch: PositionUpdate[]): void;
  /** a new version of the city's geography was committed: fetch its layers and tiles again */
  geographyChanged(): void;
}

/** The map as context: `current` is undefined until the map exists (and again after it is gone). */
export interface MapContext {
  readonly current: ConsoleMapApi | undefined;
}

const [getMapContext, setMapContext] = createContext<MapContext>();

export { getMapContext, setMapContext };
