import type { MailMessage } from './mailer.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);

/** "1 hour", "30 minutes": how long a link stays valid, in words. */
export function describeDuration(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/**
 * Sign-up does not verify the address, so whoever signed up chose the display name and may have
 * used someone else's address: no text of theirs goes into the mail, only ours and the link.
 */
export function passwordResetMessage({ to, url, validForSeconds }: { to: string; url: string; validForSeconds: number }): MailMessage {
  const validFor = describeDuration(validForSeconds);
  const text = [
    'Hello,',
    '',
    'Someone (hopefully you) asked to reset the password of your Taskfort account.',
    'Choose a new password here:',
    '',
    url,
    '',
    `The link works once and expires in ${validFor}. Resetting signs you out everywhere.`,
    'If you did not ask for this, ignore this message: your password stays as it is.',
    '',
    '— Taskfort',
  ].join('\n');
  const html = `<!doctype html><html lang="en"><body style="font-family: system-ui, sans-serif; line-height: 1.5">
<p>Hello,</p>
<p>Someone (hopefully you) asked to reset the password of your Taskfort account.</p>
<p><a href="${escapeHtml(url)}">Choose a new password</a></p>
<p>Or paste this link into your browser:<br>${escapeHtml(url)}</p>
<p>The link works once and expires in ${escapeHtml(validFor)}. Resetting signs you out everywhere.</p>
<p>If you did not ask for this, ignore this message: your password stays as it is.</p>
<p>— Taskfort</p>
</body></html>`;
  return { to, subject: 'Reset your Taskfort password', text, html };
}
