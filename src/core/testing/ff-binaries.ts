// Which ffmpeg/ffprobe the test suite runs: the npm packages' static binaries. Debian's are linked against
// ~200 shared libraries and spend ~120 ms of CPU starting (the static ones ~10 ms), and the suite starts a few
// hundred of them on clips a fraction of a second long. The probe and derivative suites run on both
// (FF_ORIGINS_UNDER_TEST), so the system's binaries, what production prefers, stay covered.
import { afterAll, beforeAll } from 'vitest';
import { selectFfBinaries, systemFfBinariesInstalled, type FfOrigin } from '../media/ffmpeg-binaries.ts';
import { serviceGate } from './services.ts';

export const TEST_FF_BINARIES = 'npm' satisfies FfOrigin;

/** FFMPEG_BINARIES for a process a test starts (the CLI, the site's server). */
export const TEST_FF_ENV = { FFMPEG_BINARIES: TEST_FF_BINARIES } as const;

/** This test process's choice (vitest's setup file, and after a suite that chose otherwise). */
export function useTestFfBinaries(): void {
  selectFfBinaries(TEST_FF_BINARIES);
}

/**
 * The binaries the probe and derivative suites run on: the suite's own, and Debian's when installed
 * (`.ci/run` installs them; with REQUIRE_SERVICES=1 their absence fails the run instead of skipping).
 */
export const FF_ORIGINS_UNDER_TEST: FfOrigin[] = [
  TEST_FF_BINARIES,
  ...(serviceGate('Debian ffmpeg (/usr/bin/ffmpeg and ffprobe)', { available: systemFfBinariesInstalled(), reason: 'not installed (apt-get install ffmpeg)' }) ? ['system' as const] : []),
];

/** Within a describe block: its tests run `origin`'s binaries, the suite's own again after it. */
export function runFfBinariesOf(origin: FfOrigin): void {
  beforeAll(() => selectFfBinaries(origin));
  afterAll(() => useTestFfBinaries());
}
