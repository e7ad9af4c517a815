// Statistics used across ctvm: descriptive, bootstrap CIs, outliers, permutation test, summaries.
export { describe, ciIsMeaningful, MIN_N_FOR_CI, mean, stddev } from './describe.js';
export { median, quantile, sortAsc, type Sorted } from './quantile.js';
export { bootstrapMedianCI, ratioOfMediansCI, DEFAULT_RESAMPLES } from './bootstrap.js';
export { madOutliers, modifiedZScores } from './outliers.js';
export { permutationTest, midRanks } from './permutation.js';
export { summarize, BASELINE_ENV } from './summarize.js';
export { mulberry32, shuffled } from './random.js';
