/** Native desktop notifications (Electron main) speak the OS language with the console's words. */
import { describe, expect, it } from 'vitest';
import type { AlertNotification } from '../../../src-shared';
import {
  notificationContent,
  notificationLanguage,
  summaryContent,
} from '../../../src-main/electron/notification-text';

function notification(event: AlertNotification['event'], over: Partial<AlertNotification['alert']> = {}) {
  return {
    event,
    alert: {
      id: 'a1',
      ruleId: 'cpu-high',
      ruleName: 'CPU above 90 %',
      kind: 'cpu',
      severity: 'warning',
      subject: { kind: 'server', id: 's1', name: 'db-1' },
      state: event === 'alert.resolved' ? 'resolved' : 'firing',
      startedAt: 0,
      firedAt: 0,
      message: 'CPU at 97 %',
      muted: false,
      timeline: [],
      ...over,
    },
  } as AlertNotification;
}

describe('native notification text', () => {
  it('picks pt-BR for any Portuguese OS locale, English otherwise', () => {
    expect(notificationLanguage('pt-BR')).toBe('pt-BR');
    expect(notificationLanguage('pt')).toBe('pt-BR');
    expect(notificationLanguage('pt_PT')).toBe('pt-BR');
    expect(notificationLanguage('en-US')).toBe('en');
    expect(notificationLanguage('ptx')).toBe('en');
    expect(notificationLanguage(undefined)).toBe('en');
  });

  it('says it in Portuguese, default rule names included, a typed rule name as typed', () => {
    expect(notificationContent(notification('alert.fired'), 'pt-BR')).toEqual({
      title: 'Aviso: CPU acima de 90 %',
      body: 'db-1: CPU at 97 %',
    });
    expect(notificationContent(notification('alert.fired', { severity: 'critical' }), 'pt-BR').title).toBe(
      'Crítico: CPU acima de 90 %',
    );
    expect(
      notificationContent(notification('alert.resolved', { ruleName: 'CPU do banco' }), 'pt-BR').title,
    ).toBe('Resolvido: CPU do banco');
    expect(notificationContent(notification('alert.fired')).title).toBe('Warning: CPU above 90 %');
  });

  it('summarises a storm with the right plural in each language', () => {
    expect(summaryContent(1, 'pt-BR').title).toBe('Mais 1 notificação de alerta');
    expect(summaryContent(1234, 'pt-BR')).toEqual({
      title: 'Mais 1234 notificações de alerta',
      body: 'Abra a tela de Alertas para ver a lista completa.',
    });
    expect(summaryContent(1, 'en').title).toBe('1 more alert notification');
    expect(summaryContent(3, 'en').title).toBe('3 more alert notifications');
  });
});
