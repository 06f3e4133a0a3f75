/**
 * The alert rules (alerts/chat.rules.yml), with the real promtool: `check rules`, and
 * `test rules` on test/alerts/chat.rules.test.yml, which fires (and holds back) every alert on
 * made-up series. The same file is the chart's PrometheusRule and compose's rule file.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERT_RULE_TESTS, ALERT_RULES, promtool } from '../../../docker/test/support/prometheus.ts';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules: Rule[] = parse(readFileSync(ALERT_RULES, 'utf8')).groups.flatMap(
  (group: { rules: Rule[] }) => group.rules,
);
const unitTests = parse(readFileSync(ALERT_RULE_TESTS, 'utf8')) as {
  tests: { name: string; alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
};

describe('alerts/chat.rules.yml', () => {
  it('passes promtool check rules', () => {
    const check = promtool(['check', 'rules', ALERT_RULES]);
    expect(check.output).toContain('SUCCESS: 6 rules found');
    expect(check.status).toBe(0);
  });

  it('passes its promtool unit tests (promtool test rules)', () => {
    const run = promtool(['test', 'rules', ALERT_RULE_TESTS]);
    expect(run.output).toContain('SUCCESS');
    expect(run.output).not.toContain('FAILED');
    expect(run.status).toBe(0);
  });

  it('alerts on what the issue asks for, each with a severity, a summary and a description naming its runbook', () => {
    expect(rules.map((rule) => rule.alert)).toEqual([
      'ChatNoReadyReplicas',
      'ChatBrokerDown',
      'ChatDeliveryLatencyHigh',
      'ChatPublishErrors',
      'ChatSlowConsumerDisconnects',
      'ChatReplicaRestarting',
    ]);
    for (const rule of rules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(critical|warning)$/);
      expect(rule.annotations?.summary?.length, rule.alert).toBeGreaterThan(10);
      expect(rule.annotations?.description, rule.alert).toContain(`Runbook: README, Monitoring, ${rule.alert}.`);
    }
  });

  it('holds broker down for over a minute and high p99 latency for 5 minutes before firing', () => {
    const byName = new Map(rules.map((rule) => [rule.alert, rule]));
    expect(byName.get('ChatBrokerDown')).toMatchObject({ expr: 'chat_broker_up == 0', for: '1m' });
    expect(byName.get('ChatDeliveryLatencyHigh')?.for).toBe('5m');
    expect(byName.get('ChatDeliveryLatencyHigh')?.expr).toContain(
      'histogram_quantile(0.99, sum by (namespace, job, le) (rate(chat_delivery_latency_seconds_bucket[5m])))',
    );
    // Restarts come from the service's own process_start_time_seconds, so compose has them too.
    expect(byName.get('ChatReplicaRestarting')?.expr).toContain('changes(process_start_time_seconds[15m]) > 2');
  });

  it('has unit tests that fire every alert, and hold it back where it must not fire', () => {
    const checks = unitTests.tests.flatMap((test) => test.alert_rule_test);
    for (const rule of rules) {
      const own = checks.filter((check) => check.alertname === rule.alert);
      expect(
        own.some((check) => check.exp_alerts.length > 0),
        `${rule.alert} fires`,
      ).toBe(true);
      expect(
        own.some((check) => check.exp_alerts.length === 0),
        `${rule.alert} holds back`,
      ).toBe(true);
    }
  });

  it('a rule that no longer fires as tested fails promtool test rules (the tests can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-rules-'));
    try {
      // The same layout as in the chart: alerts/ beside test/alerts/.
      mkdirSync(join(dir, 'alerts'));
      mkdirSync(join(dir, 'test', 'alerts'), { recursive: true });
      writeFileSync(
        join(dir, 'alerts', 'chat.rules.yml'),
        readFileSync(ALERT_RULES, 'utf8').replace('expr: chat_broker_up == 0', 'expr: chat_broker_up == 2'),
      );
      writeFileSync(join(dir, 'test', 'alerts', 'chat.rules.test.yml'), readFileSync(ALERT_RULE_TESTS, 'utf8'));
      const run = promtool(['test', 'rules', join(dir, 'test', 'alerts', 'chat.rules.test.yml')]);
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(/FAILED[\s\S]*alertname: ChatBrokerDown/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
