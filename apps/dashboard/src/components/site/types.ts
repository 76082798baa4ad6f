/**
 * What the site view reads from its site agent (through the dashboard's relay): the wire types of
 * @unbox/protocol, named as the view's components use them.
 */
import type {
  ClassifyExplanationJson,
  ClassifySliceJson,
  ExplanationJson,
  LatentDice as ProtocolLatentDice,
  PatientScore,
  SegmentExplanationJson,
  SiteDescription,
  VolumeInfo as ProtocolVolumeInfo,
} from '@unbox/protocol';

/** GET /patients */
export type PatientRow = PatientScore;

/** GET /site */
export type SiteInfo = SiteDescription;
/** GET /patients/:id/volume */
export type VolumeInfo = ProtocolVolumeInfo;

/** explanation.json (GET /patients/:id/explanation), as the site agent writes it */
export type ClassifySlice = ClassifySliceJson;
export type ClassifyExplanation = ClassifyExplanationJson;
export type SegmentExplanation = SegmentExplanationJson;
export type Explanation = ExplanationJson;

export interface ExplainProgress {
  done: number;
  total: number;
  what: string;
}

/** GET /patients/:id/latent-dice */
export type LatentDice = ProtocolLatentDice;
