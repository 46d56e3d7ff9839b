/** The inline stylesheet of report.html: print-friendly, no web fonts, no external resources. */
export const REPORT_CSS = `
:root { --ink: #0f172a; --muted: #475569; --faint: #64748b; --line: #e2e8f0; --panel: #f8fafc; --accent: #2563eb;
  --good: #047857; --good-bg: #ecfdf5; --bad: #b91c1c; --bad-bg: #fef2f2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font: 14px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.page-header { padding: 28px max(24px, calc((100vw - 1120px) / 2)) 18px; background: var(--panel); border-bottom: 1px solid var(--line); }
.brand { font-size: 12px; font-weight: 700; letter-spacing: .12em; text-transform: uppercase; color: var(--accent); }
h1 { margin: 4px 0 10px; font-size: 26px; line-height: 1.2; font-weight: 700; letter-spacing: -.01em; }
main { max-width: 1120px; margin: 0 auto; padding: 8px 24px 40px; }
h2 { margin: 40px 0 8px; padding-top: 16px; border-top: 2px solid var(--ink); font-size: 21px; letter-spacing: -.01em; }
h3 { margin: 26px 0 6px; font-size: 15px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
p { margin: 6px 0 10px; max-width: 80ch; }
.note { color: var(--faint); font-size: 13px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
ul { margin: 6px 0 12px; padding-left: 20px; } li { margin: 3px 0; max-width: 95ch; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 0 0 12px; }
.facts div { display: flex; gap: 6px; } .facts dt { color: var(--faint); } .facts dd { margin: 0; font-weight: 600; }
.toc { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.toc-label { color: var(--faint); font-size: 12px; margin-right: 4px; }
.toc a { font-size: 13px; padding: 2px 10px; border: 1px solid var(--line); border-radius: 999px; background: #fff; }
.tags { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 8px 0; }
.tag-group { display: inline-flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.tag-label { font-size: 12px; color: var(--faint); margin-right: 2px; }
.tag { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; padding: 1px 7px; border-radius: 4px; background: #eef2ff; color: #3730a3; border: 1px solid #e0e7ff; }
.table-wrap { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; color: var(--ink); }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-size: 12px; font-weight: 600; color: var(--muted); background: var(--panel); border-bottom: 1px solid #cbd5e1; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
tbody tr:hover td { background: #fbfdff; }
td .sub { display: block; font-size: 11.5px; color: var(--faint); }
td.good { color: var(--good); font-weight: 600; background: var(--good-bg); }
td.bad { color: var(--bad); font-weight: 600; background: var(--bad-bg); }
td.muted { color: #94a3b8; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0 8px; }
.chart { margin: 0; padding: 10px; border: 1px solid var(--line); border-radius: 8px; background: #fff; max-width: 100%; overflow-x: auto; }
.chart figcaption { max-width: 460px; margin: 0 0 6px; }
.chart figcaption strong { display: block; font-size: 14px; }
.chart figcaption span { display: block; font-size: 12px; color: var(--faint); }
.chart svg { display: block; max-width: 100%; height: auto; }
footer { max-width: 1120px; margin: 0 auto; padding: 16px 24px 32px; color: var(--faint); font-size: 12px; border-top: 1px solid var(--line); }
@media print { .page-header { background: none; } .chart, table { break-inside: avoid; } h2 { break-before: page; } }
`;
