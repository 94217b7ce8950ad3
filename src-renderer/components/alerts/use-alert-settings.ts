/** Rules, channels and active mutes from the hub, with a reload after every change. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AlertSettings } from '../../../src-shared/monitoring';
import { useConsole } from '../../state/context';
import { errorMessage } from './AlertParts';

export interface AlertSettingsState {
  settings: AlertSettings | null;
  error: string | null;
  reload(): void;
}

export function useAlertSettings(): AlertSettingsState {
  const { api } = useConsole();
  const [settings, setSettings] = useState<AlertSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Only the latest reload may land: an older answer arriving late must not undo a newer one.
  const latest = useRef(0);
  const reload = useCallback(() => {
    const mine = ++latest.current;
    api.call('getAlertSettings', undefined).then(
      (value) => {
        if (mine !== latest.current) return;
        setSettings(value);
        setError(null);
      },
      (e: unknown) => {
        if (mine === latest.current) setError(errorMessage(e));
      },
    );
  }, [api]);
  useEffect(() => reload(), [reload]);
  return { settings, error, reload };
}
