// Test helpers for suites that need a real service. With REQUIRE_SERVICES=1 (set by .ci/run) a missing
// service fails the suite loudly; otherwise the suite is skipped with the reason printed.
import { loadConfig, type Config } from '../env.ts';

export const testConfig: Config = loadConfig();

export interface ServiceAvailability {
  available: boolean;
  reason: string;
}

/**
 * Decide whether a service-backed suite runs. Throws when the service is required but missing, so the
 * run fails instead of silently skipping.
 */
export function serviceGate(name: string, availability: ServiceAvailability): boolean {
  if (availability.available) return true;
  if (testConfig.testing.requireServices) {
    throw new Error(`${name} is required (REQUIRE_SERVICES=1) but unavailable: ${availability.reason}`);
  }
  console.warn(`[skip] ${name}: ${availability.reason}`);
  return false;
}

/** A short random suffix for per-test database, bucket and directory names. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
