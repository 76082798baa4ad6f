export { compareClassifiers, TABLE2_MODES, type ClassifyRow, type ClassifyComparison } from './classify.js';
export { compareSegmenters, TABLE4_5_RUNS, type SegmentRow, type SegmentRun } from './segment.js';
export { markdownTable } from './markdown.js';
