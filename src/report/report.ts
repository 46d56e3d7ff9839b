/**
 * report.md and report.html: the summary a reviewer reads first (SPEC §8). Both files are written
 * atomically from one content model (content.ts): the run report (run-report.ts), the sweep report
 * (sweep-report.ts), one-line descriptions (describe.ts), rendered by markdown.ts and html.ts.
 * report.html is self-contained (inline CSS and SVG, no script, no external URL but the sources' own
 * links); report.md links the same SVGs written to charts/*.svg. This module is the entry point.
 */
export type { ReportFiles } from './content.js';
export { describeAttack, describeDistribution, describePolicy } from './describe.js';
export { esc } from './html.js';
export { writeReport, type ReportInput, type SampleSource } from './run-report.js';
export { writeSweepReport, type SweepReportInput } from './sweep-report.js';
