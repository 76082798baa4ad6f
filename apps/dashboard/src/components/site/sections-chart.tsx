'use client';
/**
 * Which part of the scan drove the patient score: the SIM's slice scores along the scan (bars,
 * coloured by section) and each section's probability. Click or Enter on a bar jumps to the slice.
 */
import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { PALETTE } from '../../lib/charts';
import { sliceRows } from '../../lib/explanation';
import type { ClassifyExplanation } from './types';

export function SectionsChart({ explanation, current, onSlice }: { explanation: ClassifyExplanation; current: number; onSlice: (i: number) => void }) {
  const rows = sliceRows(explanation);
  return (
    <>
      <p>
        Patient probability <strong>{explanation.probability.toFixed(3)}</strong> from {explanation.sections.length} section{explanation.sections.length === 1 ? '' : 's'}.
      </p>
      <div style={{ height: 200 }} data-testid="sections-chart">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={{ top: 6, right: 12, bottom: 4, left: 0 }} onClick={(s) => typeof s?.activeTooltipIndex === 'number' && onSlice(rows[s.activeTooltipIndex]?.slice ?? current)}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" interval="preserveStartEnd" />
            <YAxis tickFormatter={(v: number) => v.toFixed(1)} label={{ value: 'slice score', angle: -90, position: 'insideLeft' }} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
            <ReferenceLine y={0} stroke="#888" />
            <Bar dataKey="score" isAnimationActive={false}>
              {rows.map((r) => (
                <Cell key={r.slice} fill={PALETTE[r.section % PALETTE.length]} stroke={r.slice === current ? '#000' : undefined} strokeWidth={r.slice === current ? 2 : 0} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table>
        <thead>
          <tr>
            <th>Section</th>
            <th>Slices</th>
            <th className="num">Logit</th>
            <th className="num">Probability</th>
          </tr>
        </thead>
        <tbody>
          {explanation.sections.map((s, i) => (
            <tr key={i}>
              <td>
                <span style={{ display: 'inline-block', width: 10, height: 10, background: PALETTE[i % PALETTE.length], marginRight: 6 }} />
                {i + 1}
              </td>
              <td>
                <button type="button" onClick={() => onSlice(s.slices[0])}>
                  {s.slices[0] + 1}–{s.slices[1] + 1}
                </button>
              </td>
              <td className="num">{s.logit.toFixed(2)}</td>
              <td className="num">{s.probability.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
