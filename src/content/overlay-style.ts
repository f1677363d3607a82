/** Overlay styles, scoped inside the shadow root: the page's CSS cannot reach them, nor ours the page. */
export const OVERLAY_CSS = `
.wrap { position: absolute; width: max-content; max-width: 300px; pointer-events: auto; font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; }
.chip { display: inline-flex; align-items: center; gap: 6px; max-width: 260px; padding: 3px 8px; border: 1px solid rgba(0,0,0,.25);
  border-radius: 999px; background: rgba(255,255,255,.94); box-shadow: 0 1px 4px rgba(0,0,0,.3); cursor: pointer; font: inherit; color: inherit;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.chip:focus-visible { outline: 2px solid #1a73e8; outline-offset: 1px; }
.chip .ms { color: #555; font-variant-numeric: tabular-nums; }
.chip.error { background: #fde8e8; border-color: #c62828; color: #8e1a1a; white-space: normal; border-radius: 8px; }
.flag { display: inline-grid; place-items: center; width: 14px; height: 14px; border-radius: 50%; background: #b26a00; color: #fff; font-size: 10px; font-weight: 700; }
.chip.pending { cursor: default; color: #333; }
.spin { width: 10px; height: 10px; border: 2px solid #999; border-top-color: transparent; border-radius: 50%; animation: s 0.8s linear infinite; }
@keyframes s { to { transform: rotate(360deg); } }
.panel { margin-top: 4px; width: 250px; padding: 8px 10px; border-radius: 8px; background: #fff; border: 1px solid rgba(0,0,0,.2);
  box-shadow: 0 4px 14px rgba(0,0,0,.3); }
.panel[hidden] { display: none; }
.head { display: flex; justify-content: space-between; align-items: center; font-weight: 600; margin-bottom: 4px; }
.close { border: 0; background: none; font-size: 16px; line-height: 1; cursor: pointer; color: #444; padding: 0 2px; }
ol { list-style: none; margin: 0; padding: 0; }
li { display: grid; grid-template-columns: 1fr 44px; gap: 6px; align-items: center; margin: 2px 0; }
.bar { position: relative; height: 16px; background: #eef1f5; border-radius: 3px; overflow: hidden; }
.bar i { position: absolute; inset: 0 auto 0 0; background: #a8c7fa; }
.bar span { position: relative; padding-left: 4px; white-space: nowrap; }
.p { text-align: right; font-variant-numeric: tabular-nums; }
.meta { margin-top: 6px; color: #555; font-size: 11px; }
.note { margin-top: 4px; color: #8a5300; font-size: 11px; }
.tag-chip { position: absolute; pointer-events: auto; max-width: 180px; padding: 1px 6px; border-radius: 4px;
  font: 11px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #fff; background: rgba(20,20,24,.78);
  border: 1px solid rgba(255,255,255,.55); box-shadow: 0 0 0 1px rgba(0,0,0,.35); white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; font-variant-numeric: tabular-nums; }
.tag-chip.unsure { background: rgba(90,90,90,.78); font-style: italic; }
`;
