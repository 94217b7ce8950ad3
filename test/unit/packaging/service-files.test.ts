/**
 * The service files in packaging/ must parse and must call what exists: the systemd unit passes
 * `systemd-analyze verify` (where available; a structural check otherwise) and runs the built
 * headless entry with a flag the CLI accepts; the WinSW definition and the logon script start the
 * packaged executable (named after productName) with the desktop app's real flags.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { HEADLESS_FLAG, QUIT_FLAG } from '../../../src-main/electron/headless-mode';

vi.mock('electron', () => import('../electron/electron-mock'));

const root = resolve(import.meta.dirname, '../../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const productName = /^productName:\s*(.+)$/m.exec(read('electron-builder.yml'))![1]!.trim();

/** systemd's format: sections of Key=Value lines; keys may repeat. */
function parseUnit(text: string): Map<string, Array<[string, string]>> {
  const sections = new Map<string, Array<[string, string]>>();
  let current: Array<[string, string]> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      current = [];
      sections.set(section[1]!, current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`not a unit file line: ${raw}`);
    current.push([kv[1]!, kv[2]!]);
  }
  return sections;
}

describe('packaging/linux/agent-centralizer.service', () => {
  const path = 'packaging/linux/agent-centralizer.service';
  const unit = parseUnit(read(path));
  const service = new Map(unit.get('Service'));
  const all = (key: string): string[] =>
    unit
      .get('Service')!
      .filter(([k]) => k === key)
      .map(([, v]) => v);

  it('passes systemd-analyze verify when systemd is installed', () => {
    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (analyze.error) {
      console.log('systemd-analyze not installed: structural checks only');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'ac-unit-'));
    try {
      copyFileSync(join(root, path), join(dir, 'agent-centralizer.service'));
      const run = spawnSync('systemd-analyze', ['verify', join(dir, 'agent-centralizer.service')], {
        encoding: 'utf8',
      });
      // Only complaints about this unit count (a container may lack other units systemd mentions).
      const ours = `${run.stdout}${run.stderr}`
        .split('\n')
        .filter((l) => l.includes('agent-centralizer.service'));
      expect(ours).toEqual([]);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has the three sections and starts after the network, for multi-user boot', () => {
    expect([...unit.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(new Map(unit.get('Unit')).get('After')).toContain('network-online.target');
    expect(new Map(unit.get('Install')).get('WantedBy')).toBe('multi-user.target');
  });

  it('runs the built headless entry with flags the CLI accepts, as a dedicated user', () => {
    const [node, entry, ...args] = service.get('ExecStart')!.split(/\s+/);
    expect(node).toMatch(/^\/.*\/node$/);
    expect(entry).toMatch(/\/dist\/main\/headless\.js$/);
    // dist/main/headless.js is what vite builds from the headless CLI, which accepts each flag.
    expect(read('vite.config.ts')).toContain("headless: resolve(root, 'src-main/headless/cli.ts')");
    const cli = read('src-main/headless/cli.ts');
    for (const arg of args) expect(cli).toContain(`'${arg}'`);
    expect(args).toContain(HEADLESS_FLAG);
    expect(service.get('User')).toBe('agent-centralizer');
    expect(service.get('User')).not.toBe('root');
  });

  it('reads /etc/agent-centralizer/.env, keeps data and logs in systemd-managed folders', () => {
    expect(service.get('WorkingDirectory')).toBe('/etc/agent-centralizer');
    const env = new Map(all('Environment').map((e) => e.split('=', 2) as [string, string]));
    expect(env.get('CENTRALIZER_DATA_DIR')).toBe(`/var/lib/${service.get('StateDirectory')}`);
    expect(env.get('CENTRALIZER_LOG_DIR')).toBe(`/var/log/${service.get('LogsDirectory')}`);
    // Both keys are read by the CLI.
    const cli = read('src-main/headless/cli.ts');
    expect(cli).toContain('env.CENTRALIZER_DATA_DIR');
    expect(cli).toContain('env.CENTRALIZER_LOG_DIR');
  });

  it('restarts on failure but not on a settings error (exit 2), and is hardened', () => {
    expect(service.get('Restart')).toBe('on-failure');
    expect(service.get('RestartPreventExitStatus')).toBe('2');
    expect(read('src-main/headless/cli.ts')).toContain('process.exit(2)');
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['UMask', '0077'],
    ] as const) {
      expect(service.get(key), key).toBe(value);
    }
    expect(service.has('MemoryDenyWriteExecute')).toBe(false); // V8's JIT needs W+X pages
  });
});

describe('packaging/windows', () => {
  const xml = read('packaging/windows/agent-centralizer-service.xml');
  const tag = (name: string): string => {
    const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
    if (!m) throw new Error(`<${name}> missing`);
    return m[1]!.trim();
  };

  it('WinSW runs the packaged executable headless and stops it with --quit', () => {
    expect(xml.startsWith('<!--')).toBe(true);
    expect(xml.trim().endsWith('</service>')).toBe(true);
    // No "--" inside XML comments (invalid XML): comments are the text between <!-- and -->.
    for (const comment of xml.match(/<!--[\s\S]*?-->/g) ?? [])
      expect(comment.slice(4, -3)).not.toContain('--');
    expect(tag('executable')).toMatch(new RegExp(`\\\\${productName}\\.exe$`));
    expect(tag('arguments').split(/\s+/)).toContain(HEADLESS_FLAG);
    expect(tag('stopexecutable')).toBe(tag('executable'));
    expect(tag('stoparguments')).toBe(QUIT_FLAG);
    expect(xml).toMatch(/<onfailure action="restart"/);
    expect(xml).toMatch(/<log mode="roll-by-size">/);
    expect(tag('id')).toMatch(/^\w+$/);
  });

  it('the logon script registers, starts, stops and removes a hidden task with the real flags', () => {
    const ps1 = read('packaging/windows/hidden-at-logon.ps1');
    expect(ps1).toContain(`-Argument '${HEADLESS_FLAG}'`);
    expect(ps1).toContain(`-ArgumentList '${QUIT_FLAG}'`);
    expect(ps1).toContain(`${productName}\\${productName}.exe`);
    for (const cmdlet of [
      'Register-ScheduledTask',
      'New-ScheduledTaskTrigger -AtLogOn',
      'Start-ScheduledTask',
      'Unregister-ScheduledTask',
    ]) {
      expect(ps1).toContain(cmdlet);
    }
  });
});

describe('docs/deployment.md', () => {
  it('walks through every service file: install, start, stop, logs, uninstall', () => {
    const doc = read('docs/deployment.md');
    for (const file of [
      'packaging/linux/agent-centralizer.service',
      'packaging/windows/agent-centralizer-service.xml',
      'packaging/windows/hidden-at-logon.ps1',
    ]) {
      expect(existsSync(join(root, file)), file).toBe(true);
      expect(doc, file).toContain(file);
    }
    const sections = doc.split(/^## /m).slice(1);
    for (const title of ['Linux: systemd service', 'Windows: service', 'Windows: hidden at logon']) {
      const section = sections.find((s) => s.startsWith(title));
      expect(section, title).toBeDefined();
      for (const step of ['Install', 'Start', 'Stop', 'Logs', 'Uninstall']) {
        expect(section, `${title}: ${step}`).toMatch(new RegExp(`^### ${step}`, 'm'));
      }
    }
    expect(doc).toContain('npm run dist');
  });
});
