// The service-processes panel reads the local supervisor's status file, and says why when it cannot.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOpsConfig } from '../config';
import type { ServiceAdminClient } from '../persistence/service-admin.client';
import { PlatformOverviewService } from './platform-overview.service';

const overview = (env: Record<string, string>) =>
  new PlatformOverviewService({} as ServiceAdminClient, loadOpsConfig({ NODE_ENV: 'test', ...env }));

describe('service processes (from the local supervisor)', () => {
  it('gives the processes the supervisor last wrote', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cc-ops-')), 'status.json');
    const status = {
      updatedAt: '2026-06-01T03:00:00.000Z',
      processes: [{ id: 'orders', state: 'running', restarts: 1, lastExit: { signal: 'SIGKILL' } }],
    };
    writeFileSync(file, JSON.stringify(status));
    await expect(overview({ PLATFORM_STATUS_FILE: file }).processes()).resolves.toEqual(status);
  });

  it('says so when not started by the local launcher, or when the file is missing', async () => {
    await expect(overview({}).processes()).resolves.toEqual({
      unavailable: expect.stringMatching(/PLATFORM_STATUS_FILE unset/),
    });
    await expect(overview({ PLATFORM_STATUS_FILE: '/nonexistent/status.json' }).processes()).resolves.toEqual({
      unavailable: expect.stringMatching(/no supervisor status in \/nonexistent/),
    });
  });
});
