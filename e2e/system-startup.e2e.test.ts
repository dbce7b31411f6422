import { runningApps } from './processes';
import { startSystem } from './system';

// The harness itself: jest runs in band, so a system that failed half-way through start-up and
// left a receiver running would keep jest from ever exiting (CI would hit its time cap instead of
// reporting the failure).
describe('startSystem', () => {
  it('a worker that stops at start fails startSystem with its message and leaves no process running', async () => {
    const before = runningApps();
    await expect(startSystem({ workerEnv: { ENRICH_DEBOUNCE_MS: 'soon' } })).rejects.toThrow(
      /a worker exited \(\d+\) at start:[\s\S]*ENRICH_DEBOUNCE_MS/,
    );
    expect(runningApps()).toBe(before);
  }, 60_000);
});
