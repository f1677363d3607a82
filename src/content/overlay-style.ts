/**
 * Overlay styles, scoped inside the shadow root: the page's CSS cannot reach them, nor ours the page.
 *
 * They sit on arbitrary pages and pictures, so nothing depends on the page's colours: every surface is
 * opaque with its own text colour, and edged twice — a mid-grey border (#767676: 4.5:1 against white AND
 * black) plus an outer ring in the surface's opposite — so a chip reads on a white page, a black page and
 * any photo. Result chips and panels follow the user's prefers-color-scheme (light surface, or a dark one);
 * tag chips are dark captions in both. The custom properties are set on the top elements themselves
 * (.wrap, .tag-chip), never inherited from the host, so a page's `--x` on our host cannot recolour us.
 * Text contrast (WCAG AA 4.5:1) of each pair is in the comments.
 */
export const OVERLAY_CSS = `
.wrap, .tag-chip {
  color-scheme: light;
  --surface: #fff; --fg: #1f1f1f; --muted: #5f6368; /* 16.5:1, 6.1:1 */
  --edge: #767676; --ring: rgba(255,255,255,.9); --shadow: rgba(0,0,0,.35);
  --focus: #1a73e8; --track: #eef1f5; --fill: #a8c7fa; /* text on both 14.6:1, 9.6:1 */
  --err-bg: #fce8e6; --err-fg: #8c1d18; --err-edge: #b3261e; /* 7.7:1; edge 6.5:1 on white, 3.2:1 on black */
  --warn: #8a5300; --flag-bg: #8a5300; --flag-fg: #fff; /* 6.3:1, 6.3:1 */
  --spin: #80868b;
}
@media (prefers-color-scheme: dark) {
  .wrap {
    color-scheme: dark;
    --surface: #202124; --fg: #e8eaed; --muted: #bdc1c6; /* 13.4:1, 8.9:1 */
    --edge: #8e918f; --ring: rgba(0,0,0,.9); --shadow: rgba(0,0,0,.6);
    --focus: #8ab4f8; --track: #3c4043; --fill: #1f4a8a; /* text on both 8.7:1, 7.3:1 */
    --err-bg: #410e0b; --err-fg: #f9dedc; --err-edge: #e46962; /* 12.8:1; edge 3.2:1 on white, 6.5:1 on black */
    --warn: #ffb95c; --flag-bg: #ffb95c; --flag-fg: #201600; /* 9.5:1, 10.5:1 */
    --spin: #9aa0a6;
  }
  /* correct-style.ts's "Right / Wrong label?" row is drawn for a light panel: its dark-panel colours (more specific, so they win). */
  .wrap .check button { background: #303134; color: var(--fg); border-color: var(--edge); } /* 10.8:1 */
  .wrap .check input { background: #171717; color: var(--fg); border-color: var(--edge); } /* 14.9:1 */
  .wrap .check button:focus-visible, .wrap .check input:focus-visible { outline-color: var(--focus); }
  .wrap .check .said { color: #6dd58c; } /* 8.9:1 */
  .wrap .check .err { color: #f2b8b5; } /* 9.4:1 */
}
/* Above the tag chips: an expanded panel must not be covered by the chip of the image below it. */
.wrap { position: absolute; z-index: 1; width: max-content; max-width: 300px; pointer-events: auto; font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); }
.chip { display: inline-flex; align-items: center; gap: 6px; max-width: 260px; padding: 3px 8px; border: 1px solid var(--edge);
  border-radius: 999px; background: var(--surface); box-shadow: 0 0 0 1px var(--ring), 0 2px 6px var(--shadow); cursor: pointer; font: inherit; color: var(--fg);
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.chip:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
.chip .ms { color: var(--muted); font-variant-numeric: tabular-nums; }
.chip.unsure .label { font-style: italic; font-weight: 600; }
.chip.unsure { max-width: 300px; }
.chip .guesses { flex: 1 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; }
.chip .ms, .chip .label { flex-shrink: 0; }
.chip.error { background: var(--err-bg); border-color: var(--err-edge); color: var(--err-fg); white-space: normal; border-radius: 8px; cursor: default; }
.chip.error .close { color: var(--err-fg); }
.flag { display: inline-grid; place-items: center; width: 14px; height: 14px; border-radius: 50%; background: var(--flag-bg); color: var(--flag-fg); font-size: 10px; font-weight: 700; }
.chip.pending { cursor: default; color: var(--fg); }
.spin { width: 10px; height: 10px; border: 2px solid var(--spin); border-top-color: transparent; border-radius: 50%; animation: s 0.8s linear infinite; }
@keyframes s { to { transform: rotate(360deg); } }
.panel { margin-top: 4px; width: 250px; padding: 8px 10px; border-radius: 8px; background: var(--surface); color: var(--fg); border: 1px solid var(--edge);
  box-shadow: 0 0 0 1px var(--ring), 0 4px 14px var(--shadow); }
.panel[hidden] { display: none; }
.head { display: flex; justify-content: space-between; align-items: center; font-weight: 600; margin-bottom: 4px; }
.close { border: 0; background: none; font-size: 16px; line-height: 1; cursor: pointer; color: var(--muted); padding: 0 2px; }
.close:focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
ol { list-style: none; margin: 0; padding: 0; }
li { display: grid; grid-template-columns: 1fr 44px; gap: 6px; align-items: center; margin: 2px 0; }
.bar { position: relative; height: 16px; background: var(--track); border-radius: 3px; overflow: hidden; }
.bar i { position: absolute; inset: 0 auto 0 0; background: var(--fill); }
.bar span { position: relative; padding-left: 4px; white-space: nowrap; }
.p { text-align: right; font-variant-numeric: tabular-nums; }
.meta { margin-top: 6px; color: var(--muted); font-size: 11px; }
.note { margin-top: 4px; color: var(--warn); font-size: 11px; }
.tag-chip { position: absolute; pointer-events: auto; max-width: 180px; padding: 1px 6px; border-radius: 4px;
  font: 11px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #fff; background: #202124; /* 16.1:1 */
  border: 1px solid var(--edge); box-shadow: 0 0 0 1px rgba(0,0,0,.6), 0 1px 3px rgba(0,0,0,.4); white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; font-variant-numeric: tabular-nums; }
.tag-chip.unsure { background: #4a4d51; font-style: italic; } /* 8.5:1 */
`;
