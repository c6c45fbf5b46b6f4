import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { PROBLEM_ISSUE_MESSAGE_MAX_CHARS, PROBLEM_ISSUES_MAX, ProblemSchema } from '../../src/schemas/api.js';
import { ScenarioSchema } from '../../src/schemas/scenario.js';
import { smallScenario, testApp } from '../support/http-app.js';

describe('problem bodies are capped', () => {
  it('a scenario with 64 segments of five bad fields each earns a 422 with the first 20 issues and a count of the rest', async () => {
    const { app } = testApp();
    const scenario = smallScenario();
    const body = { ...scenario, dataset: { ...scenario.dataset, segments: Array.from({ length: 64 }, () => ({ type: 'string', keys: -1, valueBytes: -1, keyBytes: -1, writeOp: 'NO', valueEncoding: 'NO' })) } };
    const all = ScenarioSchema.safeParse(body);
    expect(all.success).toBe(false);
    const total = all.error!.issues.length;
    expect(total).toBe(320);
    const res = await request(app).post('/v1/simulations').send(body);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const problem = ProblemSchema.parse(res.body);
    expect(problem.errors).toHaveLength(PROBLEM_ISSUES_MAX);
    expect(problem.errors![0]!.path).toMatch(/^dataset\.segments/);
    expect(problem.moreIssues).toBe(total - PROBLEM_ISSUES_MAX);
    expect(res.body.moreIssues).toBe(300);
    expect(res.text.length).toBeLessThan(4096);
  });

  it('3,000 unknown keys earn one issue whose message is cut, not a 30 KB list', async () => {
    const { app } = testApp();
    const body = { ...smallScenario(), ...Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 1])) };
    const res = await request(app).post('/v1/simulations').send(body);
    expect(res.status).toBe(422);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].message).toMatch(/^Unrecognized keys: "k0"/);
    expect(res.body.errors[0].message.length).toBe(PROBLEM_ISSUE_MESSAGE_MAX_CHARS);
    expect(res.text.length).toBeLessThan(2048);
  });

  it('a problem with few issues has no moreIssues', async () => {
    const { app } = testApp();
    const res = await request(app).post('/v1/calibrations').send({ observations: [{ usedMemoryRssBytes: 'x', latestForkUsec: 1000 }] });
    expect(res.status).toBe(422);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body).not.toHaveProperty('moreIssues');
  });
});
