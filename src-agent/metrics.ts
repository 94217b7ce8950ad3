/**
 * Host metrics for the reference agent, with no native dependencies.
 *
 * - CPU: busy share between two `os.cpus()` samples (all cores), plus `os.loadavg()`.
 * - Memory: Linux uses `MemAvailable` from /proc/meminfo (what `free` calls "available"), so page
 *   cache does not count as used; elsewhere `os.totalmem() - os.freemem()`.
 * - Disks: Linux reads /proc/mounts, skips pseudo and network filesystems, dedupes by device and
 *   sizes each with `fs.statfs`; Windows probes drive letters; macOS and the fallback use `/`.
 * - Network: byte counters from /proc/net/dev (Linux) turned into rates, loopback excluded; 0 elsewhere.
 *
 * Cost per sample: a handful of small procfs reads and one statfs per real disk. The mount table and
 * the Windows drive list are cached for a minute. Network filesystems are skipped on purpose: a
 * `statfs` on a hung NFS mount can block for minutes.
 */
import { readFileSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { AGENT_LIMITS, type Disk, type Metrics } from '../src-shared/agent-protocol';

/** Something that produces a `metrics` message on demand (the real sampler, or a simulator's fake). */
export type MetricsProvider = () => Metrics | Promise<Metrics>;

export interface MetricsSamplerOptions {
  /** Overrides for tests (defaults: the real OS). */
  platform?: NodeJS.Platform;
  procRoot?: string;
  now?: () => number;
  /** How long the list of mounts / drives is reused before it is read again. */
  mountCacheMs?: number;
}

export interface MetricsSampler {
  /** One `metrics` message; CPU and network rates cover the time since the previous call (or creation). */
  sample(configRevision?: number): Promise<Metrics>;
}

/** Filesystems that are not disks a person would want to watch. */
const PSEUDO_FS = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'fusectl',
  'hugetlbfs',
  'mqueue',
  'nsfs',
  'proc',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
  'overlay',
  'aufs',
  'iso9660',
  'nfsd',
  'fuse.lxcfs',
  'fuse.portal',
  'fuse.gvfsd-fuse',
  'fuse.snapfuse',
]);
/** Network filesystems: skipped because statfs can hang when the server is gone. */
const NETWORK_FS = /^(nfs\d*|cifs|smb\d*|smbfs|ncpfs|afs|9p|ceph|glusterfs|fuse\.sshfs|fuse\.rclone|davfs)$/;

interface CpuTimes {
  busy: number;
  total: number;
  cores: number;
}

function readCpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  const cpus = os.cpus();
  for (const cpu of cpus) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total, cores: cpus.length };
}

/** Undo the octal escapes /proc/mounts uses for spaces, tabs, newlines and backslashes. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export interface MountEntry {
  device: string;
  mount: string;
  fs: string;
}

/**
 * The mounts worth reporting from a /proc/mounts text: real filesystems only, one per device (the
 * shortest mount point wins, so bind mounts and btrfs subvolumes collapse onto the main mount).
 * An overlay root (containers) is kept when nothing else covers `/`.
 */
export function parseMounts(text: string): MountEntry[] {
  const byDevice = new Map<string, MountEntry>();
  let overlayRoot: MountEntry | undefined;
  for (const line of text.split('\n')) {
    const [rawDevice, rawMount, fs] = line.split(' ');
    if (!rawDevice || !rawMount || !fs) continue;
    const entry = { device: unescapeMountField(rawDevice), mount: unescapeMountField(rawMount), fs };
    if (entry.mount === '/' && (fs === 'overlay' || fs === 'aufs')) overlayRoot = entry;
    if (PSEUDO_FS.has(fs) || NETWORK_FS.test(fs)) continue;
    if (entry.mount.startsWith('/proc/') || entry.mount.startsWith('/sys/')) continue;
    if (entry.mount.startsWith('/snap/')) continue; // loop-mounted snap images
    const seen = byDevice.get(entry.device);
    if (!seen || entry.mount.length < seen.mount.length) byDevice.set(entry.device, entry);
  }
  const mounts = [...byDevice.values()];
  if (overlayRoot && !mounts.some((m) => m.mount === '/')) mounts.unshift(overlayRoot);
  return mounts.sort((a, b) => a.mount.localeCompare(b.mount));
}

/** Summed rx/tx byte counters per interface from /proc/net/dev, loopback excluded. */
export function parseNetDev(text: string): Map<string, { rx: number; tx: number }> {
  const out = new Map<string, { rx: number; tx: number }>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!name || name === 'lo') continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const rx = Number(fields[0]);
    const tx = Number(fields[8]);
    if (Number.isFinite(rx) && Number.isFinite(tx)) out.set(name, { rx, tx });
  }
  return out;
}

/** `MemAvailable` and `MemTotal` in bytes from /proc/meminfo, or undefined when missing (old kernels). */
export function parseMemInfo(text: string): { totalBytes: number; availableBytes: number } | undefined {
  const kib = (key: string): number | undefined => {
    const match = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const totalBytes = kib('MemTotal');
  const availableBytes = kib('MemAvailable');
  if (totalBytes === undefined || availableBytes === undefined) return undefined;
  return { totalBytes, availableBytes };
}

const clamp = (value: number, min: number, max: number): number =>
  Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;

const truncate = (s: string, max: number): string => (s.length > max ? s.slice(0, max) : s);

export function createMetricsSampler(options: MetricsSamplerOptions = {}): MetricsSampler {
  const platform = options.platform ?? process.platform;
  const procRoot = options.procRoot ?? '/proc';
  const now = options.now ?? Date.now;
  const mountCacheMs = options.mountCacheMs ?? 60_000;
  const isLinux = platform === 'linux';

  let prevCpu = readCpuTimes();
  let prevCores = prevCpu.cores;
  let prevNet: Map<string, { rx: number; tx: number }> | undefined;
  let prevNetAt = now();
  if (isLinux) {
    try {
      prevNet = parseNetDev(readFileSync(`${procRoot}/net/dev`, 'utf8'));
    } catch {
      prevNet = undefined;
    }
  }
  let mountCache: { at: number; mounts: { mount: string; fs?: string }[] } | undefined;

  function cpu(): { percent: number; cores: number } {
    const cur = readCpuTimes();
    const dTotal = cur.total - prevCpu.total;
    const dBusy = cur.busy - prevCpu.busy;
    prevCpu = cur;
    const cores = clamp(cur.cores || os.availableParallelism(), 1, 4096);
    // A core count change (hot-plug) makes the delta meaningless for one round.
    if (dTotal <= 0 || cur.cores !== prevCores) {
      prevCores = cur.cores;
      return { percent: 0, cores };
    }
    return { percent: clamp((dBusy / dTotal) * 100, 0, 100), cores };
  }

  async function memory(): Promise<Metrics['memory']> {
    if (isLinux) {
      try {
        const info = parseMemInfo(await readFile(`${procRoot}/meminfo`, 'utf8'));
        if (info) {
          return {
            totalBytes: info.totalBytes,
            usedBytes: clamp(info.totalBytes - info.availableBytes, 0, info.totalBytes),
          };
        }
      } catch {
        // fall through to os.* below
      }
    }
    const totalBytes = os.totalmem();
    return { totalBytes, usedBytes: clamp(totalBytes - os.freemem(), 0, totalBytes) };
  }

  async function listMounts(): Promise<{ mount: string; fs?: string }[]> {
    const t = now();
    if (mountCache && t - mountCache.at < mountCacheMs) return mountCache.mounts;
    let mounts: { mount: string; fs?: string }[] = [];
    if (isLinux) {
      try {
        mounts = parseMounts(await readFile(`${procRoot}/mounts`, 'utf8'));
      } catch {
        mounts = [];
      }
    } else if (platform === 'win32') {
      const letters = 'CDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
      const probes = await Promise.all(
        letters.map(async (letter) => {
          try {
            const s = await statfs(`${letter}:\\`);
            return s.blocks > 0 ? `${letter}:` : undefined;
          } catch {
            return undefined;
          }
        }),
      );
      mounts = probes.filter((m): m is string => m !== undefined).map((mount) => ({ mount }));
    }
    if (mounts.length === 0) mounts = [{ mount: '/' }];
    mountCache = { at: t, mounts };
    return mounts;
  }

  async function disks(): Promise<Disk[]> {
    const mounts = (await listMounts()).slice(0, AGENT_LIMITS.maxDisks);
    const sized = await Promise.all(
      mounts.map(async ({ mount, fs }): Promise<Disk | undefined> => {
        try {
          const s = await statfs(platform === 'win32' ? `${mount}\\` : mount);
          const totalBytes = s.blocks * s.bsize;
          if (!(totalBytes > 0)) return undefined;
          // Same arithmetic as df: used = blocks - free (reserved blocks count as used by nobody).
          const usedBytes = clamp((s.blocks - s.bfree) * s.bsize, 0, totalBytes);
          const disk: Disk = { mount: truncate(mount, 256), usedBytes, totalBytes };
          if (fs) disk.fs = truncate(fs, 64);
          return disk;
        } catch {
          return undefined;
        }
      }),
    );
    return sized.filter((d): d is Disk => d !== undefined);
  }

  async function network(): Promise<Metrics['network']> {
    if (!isLinux) return { rxBytesPerSec: 0, txBytesPerSec: 0 };
    let current: Map<string, { rx: number; tx: number }>;
    try {
      current = parseNetDev(await readFile(`${procRoot}/net/dev`, 'utf8'));
    } catch {
      return { rxBytesPerSec: 0, txBytesPerSec: 0 };
    }
    const t = now();
    const seconds = (t - prevNetAt) / 1000;
    let rx = 0;
    let tx = 0;
    if (prevNet && seconds > 0) {
      for (const [name, cur] of current) {
        const prev = prevNet.get(name);
        if (!prev) continue; // new interface: no baseline yet
        // A counter that went backwards (interface reset, 32-bit wrap) contributes nothing this round.
        if (cur.rx >= prev.rx) rx += cur.rx - prev.rx;
        if (cur.tx >= prev.tx) tx += cur.tx - prev.tx;
      }
    }
    prevNet = current;
    prevNetAt = t;
    return seconds > 0
      ? { rxBytesPerSec: rx / seconds, txBytesPerSec: tx / seconds }
      : { rxBytesPerSec: 0, txBytesPerSec: 0 };
  }

  return {
    async sample(configRevision?: number): Promise<Metrics> {
      const { percent, cores } = cpu();
      const [mem, diskList, net] = await Promise.all([memory(), disks(), network()]);
      const load = os.loadavg();
      const metrics: Metrics = {
        type: 'metrics',
        ts: Math.max(0, Math.round(now())),
        cpu: {
          percent,
          cores,
          load: [
            clamp(load[0] ?? 0, 0, Infinity),
            clamp(load[1] ?? 0, 0, Infinity),
            clamp(load[2] ?? 0, 0, Infinity),
          ],
        },
        memory: mem,
        disks: diskList,
        network: net,
        uptimeSec: clamp(os.uptime(), 0, Number.MAX_SAFE_INTEGER),
      };
      if (configRevision !== undefined) metrics.configRevision = configRevision;
      return metrics;
    },
  };
}
