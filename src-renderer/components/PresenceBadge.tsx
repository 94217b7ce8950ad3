import { useTranslation } from 'react-i18next';
import type { PresenceReason, PresenceState } from '../../src-shared/fleet';
import { useFormat } from '../i18n/format';

/**
 * Status dot plus the word: colour alone never carries the meaning. Given `since` and `reason`, an
 * offline badge also says since when and why (a second line, full text in the tooltip), so lists
 * answer "down since when?" without opening the detail page.
 */
export function PresenceBadge({
  presence,
  kind = 'agent',
  since,
  reason,
}: {
  presence: PresenceState;
  kind?: 'agent' | 'server';
  since?: number;
  reason?: PresenceReason;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const word = kind === 'agent' ? t(`presence.state.${presence}`) : t(`presence.serverState.${presence}`);
  const showDetail = presence === 'offline' && since !== undefined && since > 0 && reason !== undefined;
  if (!showDetail) {
    return (
      <span className={`presence presence-${presence}`} data-presence={presence}>
        <span className="presence-dot" aria-hidden="true" />
        <span className="presence-word">{word}</span>
      </span>
    );
  }
  const reasonText = t(`presence.reason.${reason}`);
  return (
    <span
      className={`presence presence-${presence} presence-with-detail`}
      data-presence={presence}
      title={t('presenceHistory.badgeTitle', { state: word, time: fmt.dateTime(since), reason: reasonText })}
    >
      <span className="presence-dot" aria-hidden="true" />
      <span className="presence-word">{word}</span>
      <span className="presence-detail" data-testid="presence-detail">
        {t('presenceHistory.badgeDetail', { time: fmt.time(since), reason: reasonText })}
      </span>
    </span>
  );
}
