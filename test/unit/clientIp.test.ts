import { describe, expect, it } from 'vitest';
import { bareAddress } from '../../server/http/clientIp.js';

describe('bareAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['203.0.113.7:5000', '203.0.113.7'],
    ['2001:db8::1', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
  ])('reads %s as %s', (written, address) => {
    expect(bareAddress(written)).toBe(address);
  });

  it.each(['unknown', '_hidden', '', '203.0.113.7:port', '999.1.1.1', '203.0.113.7:5000:1'])('reads %j as no address', (written) => {
    expect(bareAddress(written)).toBeNull();
  });
});
