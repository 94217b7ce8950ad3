/** Broker settings resolution and redaction (pure; no broker needed). */
import { describe, expect, it } from 'vitest';
import {
  displayUrl,
  resolveBrokerSettings,
  toConnectOptions,
} from '../../src-main/hub/broker/broker-settings';
import { redact } from '../../src-main/hub/logger';

describe('resolveBrokerSettings', () => {
  it('is not configured when no variable is set (empty strings count as unset)', () => {
    expect(resolveBrokerSettings({})).toEqual({ kind: 'not_configured' });
    expect(resolveBrokerSettings({ RABBITMQ_URL: '  ', RABBITMQ_HOST: '' })).toEqual({
      kind: 'not_configured',
    });
  });

  it('parses a full URL, decoding user, password and vhost', () => {
    const r = resolveBrokerSettings({
      RABBITMQ_URL: 'amqps://ops%40corp:p%40ss%3Aw%2Fd@mq.example.com/prod%2Feu?heartbeat=20',
    });
    expect(r).toEqual({
      kind: 'ok',
      source: 'url',
      settings: {
        tls: true,
        host: 'mq.example.com',
        port: 5671,
        username: 'ops@corp',
        password: 'p@ss:w/d',
        vhost: 'prod/eu',
        heartbeatSec: 20,
      },
    });
  });

  it('defaults: guest/guest, vhost /, port 5672, heartbeat 15', () => {
    const r = resolveBrokerSettings({ RABBITMQ_URL: 'amqp://localhost' });
    expect(r.kind === 'ok' && r.settings).toEqual({
      tls: false,
      host: 'localhost',
      port: 5672,
      username: 'guest',
      password: 'guest',
      vhost: '/',
      heartbeatSec: 15,
    });
  });

  it('builds settings from separate variables', () => {
    const r = resolveBrokerSettings({
      RABBITMQ_HOST: '10.0.0.5',
      RABBITMQ_USER: 'hub',
      RABBITMQ_PASSWORD: 's3cret',
      RABBITMQ_VHOST: 'fleet',
      RABBITMQ_TLS: 'true',
      RABBITMQ_HEARTBEAT_SEC: '10',
    });
    expect(r).toEqual({
      kind: 'ok',
      source: 'variables',
      settings: {
        tls: true,
        host: '10.0.0.5',
        port: 5671,
        username: 'hub',
        password: 's3cret',
        vhost: 'fleet',
        heartbeatSec: 10,
      },
    });
  });

  it('RABBITMQ_HEARTBEAT_SEC overrides the URL heartbeat', () => {
    const r = resolveBrokerSettings({ RABBITMQ_URL: 'amqp://h?heartbeat=60', RABBITMQ_HEARTBEAT_SEC: '15' });
    expect(r.kind === 'ok' && r.settings.heartbeatSec).toBe(15);
  });

  it('reports invalid values without echoing the URL (it holds the password)', () => {
    const bad = resolveBrokerSettings({ RABBITMQ_URL: 'amqp://u:topsecret@:::bad' });
    expect(bad.kind).toBe('invalid');
    expect(JSON.stringify(bad)).not.toContain('topsecret');
    expect(resolveBrokerSettings({ RABBITMQ_URL: 'http://host' })).toMatchObject({ kind: 'invalid' });
    expect(resolveBrokerSettings({ RABBITMQ_HOST: 'h', RABBITMQ_PORT: '70000' })).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/RABBITMQ_PORT/),
    });
    expect(resolveBrokerSettings({ RABBITMQ_HOST: 'h', RABBITMQ_TLS: 'maybe' })).toMatchObject({
      kind: 'invalid',
    });
    expect(resolveBrokerSettings({ RABBITMQ_HOST: 'amqp://h' })).toMatchObject({ kind: 'invalid' });
  });

  it('displayUrl masks the password; the logger redacts it too', () => {
    const r = resolveBrokerSettings({ RABBITMQ_URL: 'amqp://hub:s3cret@mq:5673/fleet' });
    if (r.kind !== 'ok') throw new Error('expected ok');
    expect(displayUrl(r.settings)).toBe('amqp://hub:***@mq:5673/fleet');
    expect(displayUrl({ ...r.settings, vhost: '/' })).toBe('amqp://hub:***@mq:5673');
    expect(displayUrl({ ...r.settings, host: '::1' })).toBe('amqp://hub:***@[::1]:5673/fleet');
    expect(redact('amqp://hub:s3cret@mq:5673/fleet')).toBe('amqp://hub:***@mq:5673/fleet');
    expect(toConnectOptions(r.settings)).toMatchObject({
      hostname: 'mq',
      port: 5673,
      vhost: 'fleet',
      heartbeat: 15,
    });
  });
});
