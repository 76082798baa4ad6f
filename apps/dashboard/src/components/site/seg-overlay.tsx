'use client';
/**
 * The segmenter's RGBA class map of one slice (transparent background) with chosen ventricles
 * hidden: the PNG is drawn into a canvas and the pixels of hidden classes (matched by their legend
 * colour) are made transparent.
 */
import { useEffect, useRef, useState } from 'react';
import { hideClasses } from '../../lib/ventricles';
import type { SiteInfo } from './types';

type Legend = NonNullable<SiteInfo['segmentation_legend']>;

export function SegOverlay({ src, legend, hidden, opacity }: { src: string; legend: Legend; hidden: ReadonlySet<number>; opacity: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    const img = new Image();
    img.onload = () => {
      const c = ref.current;
      if (!live || !c) return;
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d');
      if (!ctx) return;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, c.width, c.height);
      hideClasses(data.data, legend.filter((l) => hidden.has(l.class)).map((l) => l.rgba));
      ctx.putImageData(data, 0, 0);
      setFailed(false);
    };
    img.onerror = () => live && setFailed(true);
    img.src = src;
    return () => {
      live = false;
    };
  }, [src, legend, hidden]);
  if (failed) return null;
  return <canvas ref={ref} style={{ opacity, position: 'absolute', inset: 0, width: '100%', height: '100%', imageRendering: 'pixelated' }} data-testid="seg-overlay" aria-hidden="true" />;
}
