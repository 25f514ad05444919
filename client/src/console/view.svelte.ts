// How the console is shown: wall-screen mode (no chrome, larger type) and whether English is shown
// beside the Chinese. Both survive a reload; `?wall=1` in the address starts a wall screen.
const WALL_KEY = 'zhihui.wall';
const LANG_KEY = 'zhihui.lang';

function initialWall(): boolean {
  const q = new URLSearchParams(location.search).get('wall');
  if (q !== null) return q !== '0' && q !== 'false';
  return localStorage.getItem(WALL_KEY) === '1';
}

class ViewState {
  wall = $state(initialWall());
  /** the squad board is open (on walls ≥ 2600 px wide it is always docked) */
  board = $state(false);
  /** the case queue is folded to a tab at the right edge, leaving its width to the map */
  queueFolded = $state(false);
  /** 'bi': 中文 with English beside it; 'zh': Chinese only */
  lang = $state<'bi' | 'zh'>(localStorage.getItem(LANG_KEY) === 'zh' ? 'zh' : 'bi');

  /** Reflect the state on <html> (CSS does the rest) and remember it. */
  apply(): void {
    const root = document.documentElement;
    root.classList.toggle('wall', this.wall);
    root.classList.toggle('zh-only', this.lang === 'zh');
    localStorage.setItem(WALL_KEY, this.wall ? '1' : '0');
    localStorage.setItem(LANG_KEY, this.lang);
  }
}

export const view = new ViewState();
