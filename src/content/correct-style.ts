/** Styles of the overlay's "Right / Wrong label?" row (inside the same closed shadow root as overlay-style.ts). */
export const CORRECT_CSS = `
.check { margin-top: 6px; display: flex; flex-wrap: wrap; gap: 4px; align-items: center; font-size: 11px; }
.check button { font: inherit; padding: 1px 8px; border-radius: 4px; border: 1px solid rgba(0,0,0,.3); background: #f4f6f8; color: #111; cursor: pointer; }
.check button:focus-visible, .check input:focus-visible { outline: 2px solid #1a73e8; outline-offset: 1px; }
.check input { font: inherit; width: 150px; padding: 1px 4px; border: 1px solid rgba(0,0,0,.35); border-radius: 4px; background: #fff; color: #111; }
.check .said { color: #146c2e; font-weight: 600; }
.check .err { color: #b3261e; flex-basis: 100%; }
.check .label-frame { border: 0; width: 100%; height: 46px; background: transparent; }
`;
