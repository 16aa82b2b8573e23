import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One metric over time, drawn by uPlot on a canvas as wide as its box (phones included). */
export function MetricChart({ label, times, values }: { label: string; times: number[]; values: (number | null)[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: el.clientWidth,
        height: 280,
        series: [{}, { label, stroke: '#0b6e4f', width: 2, fill: 'rgba(11, 110, 79, 0.08)', spanGaps: false }],
        axes: [{}, { size: 60 }],
        cursor: { drag: { x: true, y: false } },
      },
      [times, values],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 280 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [label, times, values]);
  return <div ref={box} class="chart" role="img" aria-label={`Chart of ${label}`} />;
}
