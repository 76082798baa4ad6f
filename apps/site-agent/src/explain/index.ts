/** Explanations at the site (`unbox-site explain`, `unbox-site serve`). */
export * from './png.js';
export { explainClassifier, chooseSlices, sliceLogitPredict, type PatientScan, type ClassifyExplanation } from './classify.js';
export { explainSegmenter } from './segment.js';
export { loadSiteModel, modelHash, type SiteModel } from './site-model.js';
export { patientRows, loadClassifyScan, loadLesionIndex, type LesionIndex } from './patient-scan.js';
export { computeExplanation, writeExplanation, explainParams, AIR_FILL, type Explanation, type ExplainInputs, type Progress } from './run.js';
