import { z } from 'zod';
import { Id, Label } from './common.js';
import { LIMITS } from './limits.js';

/**
 * The evaluation JSON of /work/shared/notes/result-formats.md ("Evaluation"), as sent by a site at
 * the end of each federated round. Field names are fixed by that document.
 */

/** A rate in [0, 1]; null where it is undefined (e.g. AUC of a split with one class). */
const Rate = z.number().min(0).max(1).nullable();
const Point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
const Curve = z.array(Point).max(LIMITS.curvePoints, `too many curve points (max ${LIMITS.curvePoints})`);

export const BinaryMetrics = z.strictObject({
  n: z.number().int().nonnegative(),
  acc: Rate,
  precision: Rate,
  sensitivity: Rate,
  specificity: Rate,
  auc: Rate,
});
export const PatientMetrics = BinaryMetrics.extend({ roc: Curve.optional(), pr: Curve.optional() });

export const Dice = z.strictObject({
  mean: Rate,
  per_class: z.array(Rate).max(LIMITS.classes, `too many classes (max ${LIMITS.classes})`),
});
export const DiceByThickness = z.strictObject({
  thick: Dice.optional(),
  thin: Dice.optional(),
  mixed: Dice.optional(),
});
export const DiceByModality = z.strictObject({ CT: DiceByThickness.optional(), MRI: DiceByThickness.optional() });

export const SplitEvaluation = z.strictObject({
  centre: Id,
  patient: PatientMetrics.optional(),
  image: BinaryMetrics.optional(),
  dice: DiceByModality.optional(),
});

export const EvalTask = z.enum(['classify', 'segment']);

/** `splits` of an evaluation: per split, the centre's metrics. */
export const EvaluationSplits = z.strictObject({
  train: SplitEvaluation.optional(),
  val: SplitEvaluation.optional(),
  test: SplitEvaluation.optional(),
});

export const Evaluation = z
  .strictObject({
    task: EvalTask,
    backend: Label,
    splits: EvaluationSplits,
    seed: z.number().int().optional(),
    /** the run config's hash or name. */
    config: z.string().max(LIMITS.id).optional(),
    versions: z.strictObject({ unbox: Label.optional(), tfjs: Label.optional(), node: Label.optional() }).optional(),
    created: z.iso.datetime().optional(),
  })
  .superRefine((e, ctx) => {
    const splits = Object.entries(e.splits).filter(([, s]) => s !== undefined);
    if (splits.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one split is required', path: ['splits'] });
    for (const [name, s] of splits) {
      if (!s) continue;
      if (e.task === 'classify' && !s.patient && !s.image)
        ctx.addIssue({ code: 'custom', message: 'a classify split needs patient or image metrics', path: ['splits', name] });
      if (e.task === 'segment' && !s.dice)
        ctx.addIssue({ code: 'custom', message: 'a segment split needs dice', path: ['splits', name, 'dice'] });
    }
  });

export type BinaryMetrics = z.infer<typeof BinaryMetrics>;
export type PatientMetrics = z.infer<typeof PatientMetrics>;
export type SplitEvaluation = z.infer<typeof SplitEvaluation>;
export type EvaluationSplits = z.infer<typeof EvaluationSplits>;
export type Evaluation = z.infer<typeof Evaluation>;
