import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsSchema } from '../../../src-shared/agent-protocol';
import {
  createMetricsSampler,
  parseMemInfo,
  parseMounts,
  parseNetDev,
  unescapeMountField,
} from '../../../src-agent/metrics';

const isLinux = process.platform === 'linux';

function burnCpu(ms: number): void {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
}

describe('createMetricsSampler (real host)', () => {
  it('returns a metrics message that passes the contract', async () => {
    const sampler = createMetricsSampler();
    burnCpu(50);
    const m = await sampler.sample(3);
    const parsed = MetricsSchema.safeParse(m);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    expect(m.type).toBe('metrics');
    expect(m.configRevision).toBe(3);
    expect(Math.abs(m.ts - Date.now())).toBeLessThan(5000);
    expect(m.cpu.cores).toBe(os.cpus().length || os.availableParallelism());
    expect(m.uptimeSec).toBeGreaterThan(0);
  });

  it('keeps percentages within 0–100 and rates non-negative over several samples', async () => {
    const sampler = createMetricsSampler();
    for (let i = 0; i < 4; i++) {
      burnCpu(30);
      const m = await sampler.sample();
      expect(MetricsSchema.safeParse(m).success).toBe(true);
      expect(m.cpu.percent).toBeGreaterThanOrEqual(0);
      expect(m.cpu.percent).toBeLessThanOrEqual(100);
      expect(m.memory.totalBytes).toBeGreaterThan(0);
      expect(m.memory.usedBytes).toBeGreaterThanOrEqual(0);
      expect(m.memory.usedBytes).toBeLessThanOrEqual(m.memory.totalBytes);
      expect(m.network.rxBytesPerSec).toBeGreaterThanOrEqual(0);
      expect(m.network.txBytesPerSec).toBeGreaterThanOrEqual(0);
      for (const d of m.disks) {
        expect(d.totalBytes).toBeGreaterThan(0);
        expect(d.usedBytes).toBeLessThanOrEqual(d.totalBytes);
      }
      for (const l of m.cpu.load) expect(l).toBeGreaterThanOrEqual(0);
    }
  });

  it('sees CPU work between samples', async () => {
    const sampler = createMetricsSampler();
    burnCpu(200);
    const m = await sampler.sample();
    // One busy core out of N for the whole window: at least a share of it shows up.
    expect(m.cpu.percent).toBeGreaterThan(0);
  });

  it.runIf(isLinux)('reports at least one real disk on Linux, including /', async () => {
    const m = await createMetricsSampler().sample();
    expect(m.disks.length).toBeGreaterThan(0);
    expect(m.disks.some((d) => d.mount === '/')).toBe(true);
    const mounts = m.disks.map((d) => d.mount);
    expect(new Set(mounts).size).toBe(mounts.length);
    for (const d of m.disks)
      expect(['proc', 'sysfs', 'tmpfs', 'devtmpfs', 'cgroup', 'cgroup2']).not.toContain(d.fs);
  });

  it('is cheap enough to call often', async () => {
    const sampler = createMetricsSampler();
    const start = performance.now();
    for (let i = 0; i < 20; i++) await sampler.sample();
    expect((performance.now() - start) / 20).toBeLessThan(50);
  });
});

describe('sampler with a fake /proc', () => {
  it('computes memory from MemAvailable and network rates from counter deltas, excluding lo', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'agent-proc-'));
    try {
      mkdirSync(join(dir, 'net'));
      const netDev = (rx: number, tx: number, loBytes: number): string =>
        [
          'Inter-|   Receive                                                |  Transmit',
          ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
          `    lo: ${loBytes} 10 0 0 0 0 0 0 ${loBytes} 10 0 0 0 0 0 0`,
          `  eth0: ${rx} 100 0 0 0 0 0 0 ${tx} 50 0 0 0 0 0 0`,
        ].join('\n');
      writeFileSync(join(dir, 'net/dev'), netDev(1000, 500, 0));
      writeFileSync(
        join(dir, 'meminfo'),
        'MemTotal:       8000000 kB\nMemFree:         100000 kB\nMemAvailable:    6000000 kB\nBuffers: 1 kB\n',
      );
      writeFileSync(
        join(dir, 'mounts'),
        'proc /proc proc rw 0 0\n/dev/nonexistent /definitely/not/here ext4 rw 0 0\n',
      );
      let now = 1_000_000;
      const sampler = createMetricsSampler({ platform: 'linux', procRoot: dir, now: () => now });
      writeFileSync(join(dir, 'net/dev'), netDev(1000 + 20_000, 500 + 4_000, 9e9));
      now += 2000;
      const m = await sampler.sample();
      expect(m.memory).toEqual({ totalBytes: 8_000_000 * 1024, usedBytes: 2_000_000 * 1024 });
      expect(m.network).toEqual({ rxBytesPerSec: 10_000, txBytesPerSec: 2_000 });
      // The only "real" mount does not exist, so it is dropped (statfs fails) rather than reported as 0.
      expect(m.disks.every((d) => d.totalBytes > 0)).toBe(true);
      expect(MetricsSchema.safeParse(m).success).toBe(true);

      // A counter that goes backwards (interface reset) gives 0, never a negative rate.
      writeFileSync(join(dir, 'net/dev'), netDev(10, 10, 0));
      now += 1000;
      const m2 = await sampler.sample();
      expect(m2.network).toEqual({ rxBytesPerSec: 0, txBytesPerSec: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to os memory and zero network without procfs', async () => {
    const sampler = createMetricsSampler({ platform: 'linux', procRoot: '/nonexistent-proc' });
    const m = await sampler.sample();
    expect(m.memory.totalBytes).toBe(os.totalmem());
    expect(m.network).toEqual({ rxBytesPerSec: 0, txBytesPerSec: 0 });
    expect(m.disks.length).toBeGreaterThan(0); // "/" fallback
    expect(MetricsSchema.safeParse(m).success).toBe(true);
  });
});

describe('procfs parsers', () => {
  it('parseMounts keeps real filesystems, skips pseudo/network ones, dedupes by device', () => {
    const text = [
      'proc /proc proc rw,relatime 0 0',
      'sysfs /sys sysfs rw 0 0',
      'devtmpfs /dev devtmpfs rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0',
      '/dev/sda2 / ext4 rw 0 0',
      '/dev/sda1 /boot/efi vfat rw 0 0',
      '/dev/sdb1 /mnt/my\\040disk xfs rw 0 0',
      '/dev/sda2 /var/lib/docker/bind ext4 rw 0 0',
      '/dev/sda2 /home ext4 rw 0 0',
      'server:/export /mnt/nfs nfs4 rw 0 0',
      '//nas/share /mnt/smb cifs rw 0 0',
      '/dev/loop0 /snap/core/123 squashfs ro 0 0',
      '',
      'garbage',
    ].join('\n');
    expect(parseMounts(text)).toEqual([
      { device: '/dev/sda2', mount: '/', fs: 'ext4' },
      { device: '/dev/sda1', mount: '/boot/efi', fs: 'vfat' },
      { device: '/dev/sdb1', mount: '/mnt/my disk', fs: 'xfs' },
    ]);
  });

  it('parseMounts keeps an overlay root (containers) when nothing else is mounted on /', () => {
    const text = 'overlay / overlay rw 0 0\n/dev/vda1 /etc/hosts ext4 rw 0 0\nproc /proc proc rw 0 0\n';
    expect(parseMounts(text).map((m) => m.mount)).toEqual(['/', '/etc/hosts']);
  });

  it('unescapeMountField decodes octal escapes', () => {
    expect(unescapeMountField('/a\\040b\\011c\\134d')).toBe('/a b\tc\\d');
  });

  it('parseNetDev sums per interface and skips lo and headers', () => {
    const text =
      'Inter-|   Receive\n face |bytes\n    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n  eth0: 100 1 0 0 0 0 0 0 200 1 0 0 0 0 0 0\nwlan0:7 1 0 0 0 0 0 0 8 1 0 0 0 0 0 0\n';
    expect([...parseNetDev(text)]).toEqual([
      ['eth0', { rx: 100, tx: 200 }],
      ['wlan0', { rx: 7, tx: 8 }],
    ]);
  });

  it('parseMemInfo reads MemTotal and MemAvailable, undefined when missing', () => {
    expect(parseMemInfo('MemTotal: 2048 kB\nMemAvailable: 1024 kB\n')).toEqual({
      totalBytes: 2048 * 1024,
      availableBytes: 1024 * 1024,
    });
    expect(parseMemInfo('MemTotal: 2048 kB\nMemFree: 10 kB\n')).toBeUndefined();
  });
});
