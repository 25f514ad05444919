// One shared one-second tick for every countdown on the page (instead of a timer per row).
class Ticker {
  now = $state(Date.now());
  private timer: ReturnType<typeof setInterval> | null = null;
  private users = 0;

  /** Start ticking while at least one caller uses it; returns the release function (for $effect). */
  use(): () => void {
    this.users += 1;
    if (!this.timer) {
      this.now = Date.now();
      this.timer = setInterval(() => (this.now = Date.now()), 1000);
    }
    return () => {
      this.users -= 1;
      if (this.users === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }
}

export const ticker = new Ticker();
