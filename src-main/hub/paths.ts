import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Agent Centralizer';

/**
 * The same folder Electron uses as userData for this product, so the desktop app and the headless
 * hub on one machine share settings and the generated agent token.
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT_NAME);
}

/** Folder name of the log files on platforms whose log folders hold one folder per application. */
const LOG_FOLDER = 'agent-centralizer';

/**
 * Where the hub writes its rotating log file when no other folder is given (the desktop app uses
 * Electron's `app.getPath('logs')`; CENTRALIZER_LOG_DIR overrides both):
 *  - Windows: %LOCALAPPDATA%\Agent Centralizer\logs (local, not roaming: logs are per machine)
 *  - macOS:   ~/Library/Logs/Agent Centralizer (where Console.app looks)
 *  - Linux:   $XDG_STATE_HOME/agent-centralizer/logs (default ~/.local/state/…), per the XDG spec
 */
export function defaultLogDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (platform === 'win32') {
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), PRODUCT_NAME, 'logs');
  }
  if (platform === 'darwin') return join(homedir(), 'Library', 'Logs', PRODUCT_NAME);
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), LOG_FOLDER, 'logs');
}
