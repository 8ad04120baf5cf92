import { UAParser } from 'ua-parser-js';

export interface DeviceDescription {
  browser: string;
  os: string;
}

/** "Firefox 128" / "Ubuntu" from a session's User-Agent header, for people to recognise their devices. */
export function describeUserAgent(userAgent: string | null | undefined): DeviceDescription {
  if (!userAgent) return { browser: 'Unknown browser', os: 'unknown system' };
  const { browser, os } = new UAParser(userAgent).getResult();
  const major = browser.version?.split('.')[0];
  return {
    // Not a browser (a script, curl): its own first token ("node", "curl/8.5.0") is still a clue.
    browser: browser.name ? [browser.name, major].filter(Boolean).join(' ') : (userAgent.split(' ')[0] ?? 'Unknown browser'),
    os: os.name ? [os.name, os.version].filter(Boolean).join(' ') : 'unknown system',
  };
}
