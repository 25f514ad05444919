// Lists the administration screens pick from (districts, squads, officers), and the busy/error/saved
// state of a form: each screen loads what it needs through these.
import { adminApi, api, errorText, isAbort, type OfficerAdmin, type SquadAdmin } from '../common/api.ts';

export interface DistrictChoice {
  adcode: string;
  name: string;
}

export async function districtChoices(signal?: AbortSignal): Promise<DistrictChoice[]> {
  const fc = await api.districts(signal);
  return fc.features.map((f) => ({ adcode: f.properties.adcode, name: f.properties.name })).sort((a, b) => a.adcode.localeCompare(b.adcode));
}

export const squadChoices = (signal?: AbortSignal): Promise<SquadAdmin[]> => adminApi.squads(signal);
export const officerChoices = (signal?: AbortSignal): Promise<OfficerAdmin[]> => adminApi.officers(signal);

/** A form's one action at a time, its error (the server's words) and what it last saved. */
export class FormState {
  busy = $state(false);
  error = $state<string | null>(null);
  saved = $state<string | null>(null);

  async run(work: () => Promise<string>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    this.saved = null;
    try {
      this.saved = await work();
      return true;
    } catch (err) {
      if (!isAbort(err)) this.error = errorText(err);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
