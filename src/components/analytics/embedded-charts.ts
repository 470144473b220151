// The JSON /analytics embeds for its client script: one entry per chart that has data.
import type { ChartConfiguration } from 'chart.js';

export interface EmbeddedChart {
  id: string;
  config: ChartConfiguration;
  /** Every text the chart draws, to load the font subsets covering them before drawing. */
  texts: string;
}

/** The id of the `<script type="application/json">` holding the EmbeddedChart[]. */
export const EMBEDDED_CHARTS_ID = 'analytics-charts';
