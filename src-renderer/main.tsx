/** Renderer entry: pick the transport, start the fleet sync, render the console. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { setupI18n } from './i18n';
import { ConsoleProvider, type ConsoleContextValue } from './state/context';
import { createFleetStore } from './state/fleet-store';
import { startFleetSync } from './state/sync';
import { createTransport } from './transport';
import './styles/theme.css';
import './styles/app.css';

const i18n = setupI18n();
document.documentElement.lang = i18n.resolvedLanguage ?? 'en';
document.title = i18n.t('app.name');

const transport = createTransport();
const store = createFleetStore();
const sync = startFleetSync(transport, store, {
  connection: transport,
  onError(error) {
    store.getState().setSyncError(error instanceof Error ? error.message : String(error));
  },
});

const context: ConsoleContextValue = {
  api: transport,
  store,
  transportKind: transport.kind,
  connection: transport,
};
const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root');

createRoot(rootElement).render(
  <StrictMode>
    <ConsoleProvider value={context}>
      <App onRetry={() => void sync.resync()} />
    </ConsoleProvider>
  </StrictMode>,
);
