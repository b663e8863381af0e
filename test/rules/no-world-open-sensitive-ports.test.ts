import rule from '../../rules/no-world-open-sensitive-ports.js';
import { save, tester } from './tester.js';

tester('iptables').run('no-world-open-sensitive-ports', rule, {
  valid: [
    { code: save('-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT'), filename: 'a.rules' },
    // the whole internet minus one address is not the whole internet
    { code: save('-A INPUT ! -s 192.0.2.1 -p tcp --dport 22 -j ACCEPT'), filename: 'a.rules' },
    // 1768 is not on the sensitive list
    { code: save('-A INPUT -p tcp --dport 1768 -j ACCEPT'), filename: 'a.rules' },
    // replaced list
    { code: save('-A INPUT -p tcp --dport 22 -j ACCEPT'), filename: 'a.rules', options: [{ tcp: [3389], udp: [] }] },
  ],
  invalid: [
    {
      code: save('-A INPUT -p tcp -m multiport --dports 22,3389 -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 5, message: 'Open: TCP 22 (ssh), 3389 (ms-wbt-server) reachable from the whole internet (0.0.0.0/0).' }],
    },
    {
      // two halves make the whole
      code: save('-A INPUT -s 0.0.0.0/1 -p tcp --dport 22 -j ACCEPT', '-A INPUT -s 128.0.0.0/1 -p tcp --dport 22 -j ACCEPT'),
      filename: 'a.rules',
      errors: [
        { line: 5, message: 'Open: TCP 22 (ssh) reachable from the whole internet (0.0.0.0/1 here, the rest through other rules).' },
        { line: 6, message: 'Open: TCP 22 (ssh) reachable from the whole internet (128.0.0.0/1 here, the rest through other rules).' },
      ],
    },
    {
      // possibly open: the undecidable match is named
      code: save('-A INPUT -p tcp --dport 3389 -m limit --limit 5/min -j ACCEPT'),
      filename: 'a.rules',
      errors: [{ line: 5, message: /^Possibly open \(.*limit.*\): TCP 3389 \(ms-wbt-server\) reachable from the whole internet \(0\.0\.0\.0\/0\)\.$/ }],
    },
    {
      // an open half and a possibly open rest: the open line is only possibly open to the whole internet, and says
      // why; a port its certain part alone opens to the world (3389 at line 5) stays open, in a finding of its own
      code: save(
        '-A INPUT -s 0.0.0.0/1 -p tcp -m multiport --dports 22,3389 -j ACCEPT',
        '-A INPUT -p tcp --dport 3389 -j ACCEPT',
        '-A INPUT -s 128.0.0.0/1 -p tcp --dport 22 -m limit --limit 5/min -j ACCEPT',
      ),
      filename: 'a.rules',
      errors: [
        { line: 5, message: 'Open: TCP 3389 (ms-wbt-server) reachable from the whole internet (0.0.0.0/1 here, the rest through other rules).' },
        { line: 5, message: 'Possibly open (-m limit --limit 5/min at line 7 may or may not match): TCP 22 (ssh) reachable from the whole internet (0.0.0.0/1 here, the rest through other rules).' },
        { line: 6, message: 'Open: TCP 3389 (ms-wbt-server) reachable from the whole internet (128.0.0.0/1 here, the rest through other rules).' },
        { line: 7, message: 'Possibly open (-m limit --limit 5/min at line 7 may or may not match): TCP 22 (ssh) reachable from the whole internet (128.0.0.0/1 here, the rest through other rules).' },
      ],
    },
  ],
});
