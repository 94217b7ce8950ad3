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
