// The phone's theme: the dark one of the console, or a light one with high contrast for reading in
// sunlight. The officer's choice stays on this phone (localStorage), across log-outs and reloads.
const KEY = 'zhihui.officer.theme';

export type PhoneTheme = 'dark' | 'light';

function stored(): PhoneTheme {
  try {
    return localStorage.getItem(KEY) === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark'; // storage refused (private mode): the default
  }
}

class ThemeStore {
  current = $state<PhoneTheme>(stored());

  get light(): boolean {
    return this.current === 'light';
  }

  toggle(): void {
    this.current = this.light ? 'dark' : 'light';
    try {
      localStorage.setItem(KEY, this.current);
    } catch {
      // not remembered, still switched
    }
  }
}

export const phoneTheme = new ThemeStore();
