// How the console is shown: wall-screen mode (no chrome, larger type) and its language mode (中+EN,
// EN first, 中 only). Both survive a reload; `?wall=1` in the address starts a wall screen.
import { LANG_MODES, type LangMode } from '../common/i18n.ts';

const WALL_KEY = 'zhihui.wall';
const LANG_KEY = 'zhihui.lang';

function initialWall(): boolean {
  const q = new URLSearchParams(location.search).get('wall');
  if (q !== null) return q !== '0' && q !== 'false';
  return localStorage.getItem(WALL_KEY) === '1';
}

function initialLang(): LangMode {
  const saved = localStorage.getItem(LANG_KEY);
  return (LANG_MODES as readonly string[]).includes(saved ?? '') ? (saved as LangMode) : 'bi';
}

class ViewState {
  wall = $state(initialWall());
  /** the squad board is open (on walls ≥ 2600 px wide it is always docked) */
  board = $state(false);
  /** the case queue is folded to a tab at the right edge, leaving its width to the map */
  queueFolded = $state(false);
  /** 'bi': 中文 with English beside it; 'en': English first; 'zh': Chinese only */
  lang = $state<LangMode>(initialLang());

  /** The language switch: 中+EN → EN → 中 → 中+EN. */
  nextLang(): void {
    this.lang = LANG_MODES[(LANG_MODES.indexOf(this.lang) + 1) % LANG_MODES.length]!;
  }

  /** Reflect the state on <html> (CSS does the rest) and remember it. */
  apply(): void {
    const root = document.documentElement;
    root.classList.toggle('wall', this.wall);
    root.classList.toggle('zh-only', this.lang === 'zh');
    root.classList.toggle('en-first', this.lang === 'en');
    root.lang = this.lang === 'en' ? 'en' : 'zh-CN';
    localStorage.setItem(WALL_KEY, this.wall ? '1' : '0');
    localStorage.setItem(LANG_KEY, this.lang);
  }
}

export const view = new ViewState();
