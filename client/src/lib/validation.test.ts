import { describe, expect, it } from 'vitest';
import {
  safeRedirectPath,
  validateEmail,
  validateExistingPassword,
  validateName,
  validateNewPassword,
  validateTaskDescription,
  validateTaskTitle,
} from './validation';

describe('form rules mirror the server', () => {
  it('asks for a name', () => {
    expect(validateName('  ')).toBe('Enter your name.');
    expect(validateName('Ada')).toBeNull();
  });

  it('accepts ordinary addresses and refuses malformed ones', () => {
    for (const email of ['ada@example.com', ' ada.lovelace+tasks@mail.example.co.uk ']) expect(validateEmail(email)).toBeNull();
    for (const email of ['ada', 'ada@', '@example.com', 'ada@example', 'a da@example.com', 'ada@@example.com']) {
      expect(validateEmail(email)).toMatch(/valid email/);
    }
    expect(validateEmail('')).toBe('Enter your email address.');
  });

  it('requires 8 to 128 characters for a new password', () => {
    expect(validateNewPassword('')).toBe('Choose a password.');
    expect(validateNewPassword('1234567')).toBe('Use at least 8 characters.');
    expect(validateNewPassword('12345678')).toBeNull();
    expect(validateNewPassword('x'.repeat(128))).toBeNull();
    expect(validateNewPassword('x'.repeat(129))).toBe('Use at most 128 characters.');
  });

  it('only checks presence of a password at sign-in', () => {
    expect(validateExistingPassword('')).toBe('Enter your password.');
    expect(validateExistingPassword('short')).toBeNull();
  });

  it('limits task titles (1–500 after trimming) and descriptions (5000)', () => {
    expect(validateTaskTitle('   ')).toBe('Enter a title.');
    expect(validateTaskTitle('x'.repeat(500))).toBeNull();
    expect(validateTaskTitle('x'.repeat(501))).toMatch(/500/);
    expect(validateTaskDescription('x'.repeat(5001))).toMatch(/5000/);
  });

  it('only redirects to same-site paths after sign-in', () => {
    expect(safeRedirectPath('/?status=active')).toBe('/?status=active');
    for (const unsafe of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', undefined, ['/']]) {
      expect(safeRedirectPath(unsafe)).toBe('/');
    }
    expect(safeRedirectPath('/sign-in')).toBe('/');
  });
});
