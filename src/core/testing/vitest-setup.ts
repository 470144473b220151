// Before every test file (vitest.config.ts, setupFiles): the process-wide choices of the test suite.
import { useTestFfBinaries } from './ff-binaries.ts';

useTestFfBinaries();
