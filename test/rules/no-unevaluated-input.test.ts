import rule from '../../rules/no-unevaluated-input.js';
import { tester } from './tester.js';

tester('iptables').run('no-unevaluated-input', rule, {
  valid: [{ code: '#!/bin/sh\nIPT=iptables\n$IPT -P INPUT DROP\n$IPT -A INPUT -p tcp --dport 22 -j ACCEPT\n', filename: 'fw.sh' }],
  invalid: [
    {
      code: '#!/bin/sh\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport $PORT -j ACCEPT\n',
      filename: 'fw.sh',
      errors: [{ line: 3, messageId: 'unevaluated' }],
    },
  ],
});
