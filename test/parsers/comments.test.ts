import { describe, expect, it } from 'vitest';
import { yamlComments } from '../../src/parsers/comments.js';

const where = (text: string) => yamlComments(text).map((c) => `${c.span.start.line}:${c.span.start.column}-${c.span.end.line}:${c.span.end.column} ${c.value}`);

describe('yamlComments', () => {
  it('the lines of a block scalar are its text, not comments (a "# eslint-disable" in UserData disabled the rule for the file)', () => {
    const text = [
      'Resources:',
      '  Inst:',
      '    Properties:',
      '      UserData: !Base64 |',
      '        #!/bin/bash',
      '        # eslint-disable firewall/no-world-open-sensitive-ports',
      '',
      '        # fwlint-ignore -- in the script',
      '      Other: x # a comment',
      '  List:',
      '    - >-',
      '      # folded text',
      '    - y   # after',
      '',
    ].join('\n');
    expect(where(text)).toEqual(['9:16-9:27  a comment', '13:11-13:18  after']);
  });

  it('comments beside values, on their own lines, with CRLF; not inside quoted scalars, also over several lines', () => {
    expect(where('# top\r\na: 1 # x\r\nb: "# no" # yes\r\nc: \'#no\'\r\nd: "two\r\n  # lines"\r\n')).toEqual(['1:1-1:6  top', '2:6-2:9  x', '3:11-3:16  yes']);
    expect(yamlComments('a: b\n')).toEqual([]);
  });
});
