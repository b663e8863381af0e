import { describe, expect, it } from 'vitest';
import { optionsProblem } from '../../src/eslint/options-schema.js';
import { rules } from '../../src/eslint/plugin.js';

// The CLI's rules check inline options against their schemas without ajv: the same verdicts, in ESLint's words
describe('optionsProblem', () => {
  const schema = (id: keyof typeof rules) => rules[id].meta!.schema;
  it.each([
    ['no-world-open-sensitive-ports', [{ tcp: [22, 3389] }], undefined],
    ['no-world-open-sensitive-ports', [{ tcp: ['ssh'] }], 'Value "ssh" should be integer.'],
    ['no-world-open-sensitive-ports', [{ tcp: [70000] }], 'Value 70000 should be <= 65535.'],
    ['no-world-open-sensitive-ports', [{ sctp: [1] }], 'Value {"sctp":[1]} should NOT have additional properties.'],
    ['no-world-open-sensitive-ports', [{}, {}], 'Value [{},{}] should NOT have more than 1 items.'],
    ['no-undeclared-registered-ports', [{ allow: [8080, 'tcp/9000-9100', 'udp/53'] }], undefined],
    ['no-undeclared-registered-ports', [{ allow: ['http'] }], 'Value "http" should match some schema in anyOf.'],
    ['no-undeclared-registered-ports', [{ includeCftBlock: 'yes' }], 'Value "yes" should be boolean.'],
    ['no-unused-suppressions', [{ 'require-reason': true }], undefined],
    ['no-shadowed-rules', [{}], 'Value [{}] should NOT have more than 0 items.'],
    ['no-shadowed-rules', [], undefined],
  ] as const)('%s %j → %s', (id, options, want) => {
    expect(optionsProblem(schema(id), options)).toBe(want);
  });
});
