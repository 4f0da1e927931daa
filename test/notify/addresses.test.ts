import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/core/config.ts';
import { normalizeEmailAddress, normalizeEmailList } from '../../src/core/email-address.ts';
import { AppError } from '../../src/core/errors.ts';
import { getSyncSettings } from '../../src/db/queries/organizations.ts';
import { createOrganization, updateSettings } from '../../src/roster/organizations.ts';
import { describeEachStore } from '../support/stores.ts';

function codeOf(action: () => unknown): string | null {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return null;
}

describe('e-mail address validation', () => {
  it.each([
    'admin@district.org',
    'first.last+roster@mail.district.k12.us',
    "o'brien@example.org",
    '  padded@example.org  ',
  ])('accepts %s', (address) => {
    expect(normalizeEmailAddress(address)).toBe(address.trim());
  });

  it.each([
    'plain',
    'no-domain@',
    '@no-local.org',
    'two@@example.org',
    'space in@example.org',
    'dots..twice@example.org',
    'user@localhost',
    'user@-bad.example.org',
    'Name <user@example.org>',
    'user@example.org, other@example.org',
    '"quoted"@example.org',
    `${'a'.repeat(250)}@example.org`,
  ])('rejects %s as invalid', (address) => {
    expect(codeOf(() => normalizeEmailAddress(address))).toBe('EMAIL_ADDRESS_INVALID');
  });

  it.each([
    'user@example.org\r\nBcc: victim@example.org',
    'user@example.org\nBcc: victim@example.org',
    'user@example.org\r',
    'user\u0000@example.org',
    'user@example.org\u2028',
    '\tuser@example.org',
  ])('rejects control characters in %j', (address) => {
    expect(codeOf(() => normalizeEmailAddress(address))).toBe('EMAIL_HEADER_INJECTION');
  });

  it('error names the address', () => {
    expect(() => normalizeEmailAddress('nobody')).toThrow('"nobody" is not a valid e-mail address');
  });

  it('list drops repeats regardless of case', () => {
    expect(normalizeEmailList(['A@x.example.org', 'b@x.example.org', 'a@X.example.org '])).toEqual([
      'A@x.example.org',
      'b@x.example.org',
    ]);
  });
});

describe('support contact setting', () => {
  it('defaults to the sender address', () => {
    expect(loadConfig({ MAIL_FROM: 'Roster Sync <help@vendor.example.org>' }).supportContact).toBe(
      'help@vendor.example.org',
    );
    expect(loadConfig({}).supportContact).toBe('rostersync@localhost');
  });

  it('accepts an address or a URL', () => {
    expect(loadConfig({ ROSTERSYNC_SUPPORT_CONTACT: 'support@vendor.example.org' }).supportContact).toBe(
      'support@vendor.example.org',
    );
    expect(
      loadConfig({ ROSTERSYNC_SUPPORT_CONTACT: 'https://help.vendor.example.org/x' }).supportContact,
    ).toBe('https://help.vendor.example.org/x');
  });

  it('rejects anything else', () => {
    expect(() => loadConfig({ ROSTERSYNC_SUPPORT_CONTACT: 'call us' })).toThrow('ROSTERSYNC_SUPPORT_CONTACT');
  });
});

describeEachStore('settings e-mail checks', (context) => {
  it('extra addresses are validated on save', async () => {
    const { db } = context.store;
    await createOrganization(db, { name: 'Checked District', slug: 'checked', actor: 'test' });

    await expect(
      updateSettings(db, 'checked', { extraEmails: ['ok@example.org', 'broken'] }, 'test'),
    ).rejects.toMatchObject({
      code: 'EMAIL_ADDRESS_INVALID',
    });
    await expect(
      updateSettings(db, 'checked', { extraEmails: ['ok@example.org\r\nBcc: x@evil.example.org'] }, 'test'),
    ).rejects.toMatchObject({ code: 'EMAIL_HEADER_INJECTION' });

    const org = await db
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', 'checked')
      .executeTakeFirstOrThrow();
    expect((await getSyncSettings(db, org.id)).extraEmails).toEqual([]);

    await updateSettings(
      db,
      'checked',
      { extraEmails: [' ok@example.org ', 'OK@example.org', 'b@example.org'] },
      'test',
    );
    expect((await getSyncSettings(db, org.id)).extraEmails).toEqual(['ok@example.org', 'b@example.org']);
  });

  it('organization name with a line break is rejected', async () => {
    const { db } = context.store;
    await expect(
      createOrganization(db, { name: 'Evil\r\nBcc: x@evil.example.org', slug: 'evil', actor: 'test' }),
    ).rejects.toMatchObject({ code: 'EMAIL_HEADER_INJECTION' });

    await createOrganization(db, { name: 'Fine District', slug: 'fine', actor: 'test' });
    await expect(
      updateSettings(db, 'fine', { name: 'Fine\nBcc: x@evil.example.org' }, 'test'),
    ).rejects.toMatchObject({
      code: 'EMAIL_HEADER_INJECTION',
    });
    const org = await db
      .selectFrom('organizations')
      .select('name')
      .where('slug', '=', 'fine')
      .executeTakeFirstOrThrow();
    expect(org.name).toBe('Fine District');
  });
});
