'use client';
/** The segmenter's per-ventricle maps of the current slice (from its explanation), with pixels and Dice. */
import type { SegmentExplanation, SiteInfo } from './types';

export function VentricleMaps({ explanation, index, pngUrl, onSlice, legend }: { explanation: SegmentExplanation; index: number; pngUrl: (name: string) => string; onSlice: (i: number) => void; legend: SiteInfo['segmentation_legend'] }) {
  const s = explanation.slices.find((x) => x.index === index);
  return (
    <>
      {s ? (
        <div className="maps" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(140px, 1fr))' }}>
          {s.classes.map((c) => (
            <figure key={c.class}>
              <img src={pngUrl(c.png)} alt={`${legend?.find((l) => l.class === c.class)?.name ?? `class ${c.class}`} probability on slice ${index + 1}`} data-testid="ventricle-map" />
              <figcaption>
                {legend?.find((l) => l.class === c.class)?.name ?? `class ${c.class}`}: {c.pixels} px{c.dice !== null ? `, Dice ${c.dice.toFixed(2)}` : ''}
              </figcaption>
            </figure>
          ))}
        </div>
      ) : (
        <p className="muted">Slice {index + 1} has no per-ventricle maps.</p>
      )}
      <p className="muted">
        Slices with maps:{' '}
        {explanation.slices.map((x) => (
          <button key={x.index} type="button" aria-current={x.index === index} onClick={() => onSlice(x.index)} style={{ margin: 2 }}>
            {x.index + 1}
          </button>
        ))}
      </p>
    </>
  );
}
