/**
 * uPlot in React: the chart is created when the options change (mount, theme, series set), gets
 * new data with setData, follows its container's width, and is destroyed on unmount. uPlot draws on a
 * canvas and only sets styles through the CSSOM, so the strict CSP (style-src 'self') holds.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface UPlotChartProps {
  /** Everything but the size; memoize it: a new object re-creates the chart. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
}

export function UPlotChart({ options, data, height }: UPlotChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  const dataRef = useRef(data);

  useEffect(() => {
    dataRef.current = data;
    chartRef.current?.setData(data);
  }, [data]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const width = () => Math.max(100, Math.floor(container.clientWidth));
    const chart = new uPlot({ ...options, width: width(), height }, dataRef.current, container);
    chartRef.current = chart;
    let lastWidth = width();
    const observer =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver(() => {
            const w = width();
            if (w === lastWidth) return;
            lastWidth = w;
            chart.setSize({ width: w, height });
          })
        : undefined;
    observer?.observe(container);
    return () => {
      observer?.disconnect();
      chart.destroy();
      chartRef.current = null;
    };
  }, [options, height]);

  return <div className="uplot-host" ref={containerRef} />;
}
