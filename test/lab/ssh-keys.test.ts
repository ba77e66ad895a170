// Pins the lab's SSH key generation: every key pair it hands out is one ssh2 can parse (ssh2 alone fails ~1 in 256).
import { describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import { generateUsableKeyPair } from '../../src/lab/ssh-node.js';

describe('generateUsableKeyPair', () => {
  it('never returns a key ssh2 rejects', () => {
    for (let i = 0; i < 1500; i++) {
      const pair = generateUsableKeyPair();
      expect(ssh2.utils.parseKey(pair.public)).not.toBeInstanceOf(Error);
      expect(ssh2.utils.parseKey(pair.private)).not.toBeInstanceOf(Error);
    }
  });
});
