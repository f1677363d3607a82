/**
 * A fixed-window quota: at most `limit` items per `windowMs`. Pure, so the
 * worker can keep its state in storage (it may be stopped at any moment) and
 * the rule is unit-tested. Used to bound what a page can make auto-tag do.
 */
export interface WindowState {
  /** Epoch ms the current window began. */
  start: number;
  used: number;
}

export function admit(state: WindowState | undefined, now: number, limit: number, windowMs: number, wanted: number): { state: WindowState; admitted: number } {
  const current = state && now - state.start < windowMs && now >= state.start ? state : { start: now, used: 0 };
  const admitted = Math.max(0, Math.min(wanted, limit - current.used));
  return { state: { start: current.start, used: current.used + admitted }, admitted };
}
