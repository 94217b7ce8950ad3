import { useTranslation } from 'react-i18next';
import type { PresenceState } from '../../src-shared/fleet';

/** Status dot plus the word: colour alone never carries the meaning. */
export function PresenceBadge({
  presence,
  kind = 'agent',
}: {
  presence: PresenceState;
  kind?: 'agent' | 'server';
}) {
  const { t } = useTranslation();
  const word = kind === 'agent' ? t(`presence.state.${presence}`) : t(`presence.serverState.${presence}`);
  return (
    <span className={`presence presence-${presence}`} data-presence={presence}>
      <span className="presence-dot" aria-hidden="true" />
      <span className="presence-word">{word}</span>
    </span>
  );
}
