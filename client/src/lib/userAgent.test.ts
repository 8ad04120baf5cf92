import { describe, expect, it } from 'vitest';
import { describeUserAgent } from './userAgent';

describe('describeUserAgent', () => {
  it('names the browser with its major version and the system', () => {
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36')).toEqual({
      browser: 'Chrome 131',
      os: 'Windows 10',
    });
  });

  it('falls back to the first token for scripts, and says unknown when there is nothing', () => {
    expect(describeUserAgent('curl/8.5.0')).toEqual({ browser: 'curl/8.5.0', os: 'unknown system' });
    expect(describeUserAgent(null)).toEqual({ browser: 'Unknown browser', os: 'unknown system' });
  });
});
