/**
 * Proactive token refresh for any token lifetime: a scheduled refresh and provider calls in
 * between, on a simulated clock. Keycloak's default 300 s tokens used to be refreshed every
 * second (`max(now + 1 s, exp − 5 min)`), each refresh burning a rotating refresh token.
 */
import { describe, expect, it } from 'vitest';
import { REFRESH_FLOOR_MS, refreshAt, refreshDue } from '../../src/connections/tokens.ts';

/** One simulated hour: the job runs at its run_at, a provider call happens every second. */
function simulate(lifetimeMs: number, hourMs = 3_600_000) {
  let issuedAt = 0;
  let expiresAt = lifetimeMs;
  let runAt = refreshAt(issuedAt, expiresAt);
  const refreshes: number[] = [];
  let expiredCalls = 0;
  const refresh = (now: number) => {
    refreshes.push(now);
    issuedAt = now;
    expiresAt = now + lifetimeMs;
    runAt = refreshAt(issuedAt, expiresAt); // what scheduleRefresh queues
  };
  for (let now = 0; now <= hourMs; now += 1_000) {
    if (now >= runAt && refreshDue({ tokenExpiresAt: new Date(expiresAt), tokenRefreshedAt: new Date(issuedAt) }, now)) refresh(now);
    // A provider call: refreshes first only when due (src/connections/provider-session.ts).
    if (refreshDue({ tokenExpiresAt: new Date(expiresAt), tokenRefreshedAt: new Date(issuedAt) }, now)) refresh(now);
    if (now >= expiresAt) expiredCalls++;
  }
  const gaps = refreshes.slice(1).map((t, i) => t - refreshes[i]!);
  return { refreshes, gaps, expiredCalls };
}

describe('token refresh timing', () => {
  it.each([
    [60, 30, 120],
    [300, 150, 24],
    [3600, 3300, 1],
  ])('a %i s token is refreshed once per token, %i s after issue (%i times an hour), never looping', (lifetimeS, atS, perHour) => {
    const { refreshes, gaps, expiredCalls } = simulate(lifetimeS * 1000);
    expect(refreshAt(0, lifetimeS * 1000)).toBe(atS * 1000);
    // One refresh per token: a provider call may take the due refresh up to 2 s early (clock slack).
    expect(refreshes.length).toBeGreaterThanOrEqual(perHour);
    expect(refreshes.length).toBeLessThanOrEqual(Math.ceil((3600 * perHour) / (3600 - 2 * perHour)));
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(atS * 1000 - 2_000);
      expect(g).toBeLessThanOrEqual(atS * 1000);
    }
    expect(Math.min(...gaps, Infinity)).toBeGreaterThanOrEqual(REFRESH_FLOOR_MS);
    expect(expiredCalls).toBe(0); // never called with an expired token
  });

  it('never schedules sooner than the floor, even for tokens shorter than it', () => {
    expect(refreshAt(1_000, 1_000 + 10_000)).toBe(1_000 + REFRESH_FLOOR_MS);
    expect(refreshDue({ tokenExpiresAt: new Date(20_000), tokenRefreshedAt: new Date(0) }, 5_000)).toBe(false);
  });

  it('without a known issue time, refreshes within five minutes of expiry', () => {
    expect(refreshDue({ tokenExpiresAt: new Date(10 * 60_000), tokenRefreshedAt: null }, 0)).toBe(false);
    expect(refreshDue({ tokenExpiresAt: new Date(4 * 60_000), tokenRefreshedAt: null }, 0)).toBe(true);
    expect(refreshDue({ tokenExpiresAt: null, tokenRefreshedAt: null }, 0)).toBe(false);
  });
});
